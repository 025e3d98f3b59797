import type { z } from 'zod';
import type { DirectoryPerson } from '../../../protocol/index.js';

export type TeamPerson = z.infer<typeof DirectoryPerson>;

/**
 * The colleagues this user may see (DirectoryMe.colleagues). The directory reaches the client with
 * sync; until a host method exposes it, the list stays empty and the view says so.
 * TODO(sync): fill from the directory once the host API has it.
 */
export const teamState = $state({ people: [] as TeamPerson[] });
