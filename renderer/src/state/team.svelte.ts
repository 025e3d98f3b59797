import type { z } from 'zod';
import type { DirectoryPerson } from '../../../protocol/index.js';
import { identityState } from './identity.svelte.js';

export type TeamPerson = z.infer<typeof DirectoryPerson>;

/**
 * The colleagues this user may see (DirectoryMe.colleagues). The directory reaches the client with
 * sync; until a host method exposes it, the list stays empty and the view says so.
 * TODO(sync): fill from the directory once the host API has it.
 */
export const teamState = $state({ people: [] as TeamPerson[] });

/**
 * A person's name for a user id: oneself from the identity, a colleague from the directory, else the
 * id itself (someone who has left, or the directory not loaded yet) — never nothing.
 */
export function personName(id: string | null | undefined): string {
  if (!id) return '';
  if (identityState.summary?.user === id) return identityState.summary.name;
  return teamState.people.find((person) => person.id === id)?.name ?? id;
}
