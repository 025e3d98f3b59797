import { parseDialInput } from './number.js';
import { userUri } from './sip-uri.js';

/** What "Nicht stören" does with an incoming call (Settings: dndAction, dndForwardTarget). */
export type DndAction = 'reject' | 'forward';

/** `colleague`: the target is a user name (whether that user is registered changes by the minute). */
export type DndDecision =
  { kind: 'ring' } | { kind: 'reject' } | { kind: 'forward'; uri: string; target: string; colleague: boolean };

export interface DndInput {
  dnd: boolean;
  action: DndAction;
  /** A colleague's user name or a number, as the user typed it in Settings. */
  target: string;
  /** Our own SIP user: forwarding to ourselves would loop back into 486. */
  self: string;
  /** The SIP domain the target lives in (ours: the PBX follows only redirects to its own users). */
  domain: string;
}

/**
 * The forward target in the form the PBX routes (a user name or an E.164 number), or undefined when
 * it is empty or not a valid user/number. Shared by the Settings form and the engine.
 */
export function forwardTarget(input: string): string | undefined {
  return parseTarget(input)?.user;
}

function parseTarget(input: string): { user: string; colleague: boolean } | undefined {
  const parsed = parseDialInput(input);
  if (!parsed.ok) return undefined;
  // "*" and "#" codes are PBX features, not somebody a call can be handed to.
  if (/[*#]/.test(parsed.user)) return undefined;
  return { user: parsed.user, colleague: parsed.kind === 'user' };
}

/**
 * DND with a forward target answers the INVITE with 302 and Contact: <target>; without one (or with
 * an unusable one, or ourselves) it stays 486, so a broken setting never leaves a caller ringing.
 */
export function dndDecision(input: DndInput): DndDecision {
  if (!input.dnd) return { kind: 'ring' };
  if (input.action !== 'forward') return { kind: 'reject' };
  const parsed = parseTarget(input.target);
  if (!parsed || parsed.user === input.self.toLowerCase()) return { kind: 'reject' };
  const { user: target, colleague } = parsed;
  return { kind: 'forward', target, colleague, uri: userUri(target, input.domain) };
}
