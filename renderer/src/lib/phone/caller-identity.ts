import { callerNumber } from './number.js';

/**
 * The header by which the PBX names the colleague who calls: set only by the PBX, from the client
 * certificate of the connection the call came over, and stripped from everything it receives
 * (docs/pbx.md, rule 11). From and the display name are whatever the caller chose to send.
 */
export const ASSERTED_CALLER = 'X-Vermittlung-Caller';

/** A directory user id as the PBX writes it (the certificate's CN). */
const USER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Who calls, as the line shows it: a colleague only on the PBX's word, everybody else from outside. */
export interface IncomingCaller {
  /** The colleague's user id, or the caller's number (From user) for an outside call. */
  remoteUser: string;
  /** Never the caller's own display name: a colleague's name comes from the directory, an outsider's from the contacts. */
  remoteName: undefined;
  caller: 'colleague' | 'outside';
}

/**
 * Decides from an incoming INVITE's From user and the PBX's assertion (the header's value, if any)
 * who is calling. An outside call stays outside whatever its From names — "carol" in From without the
 * PBX's word is not carol.
 */
export function incomingCaller(fromUser: string | undefined, asserted: string | undefined): IncomingCaller {
  const user = asserted?.trim();
  if (user && USER_ID.test(user)) return { remoteUser: user, remoteName: undefined, caller: 'colleague' };
  return { remoteUser: callerNumber(fromUser), remoteName: undefined, caller: 'outside' };
}

/** What a call card says about the far end. */
export type CallerLabel =
  | { kind: 'colleague'; name: string }
  | { kind: 'outside'; name: string | undefined; number: string }
  /** A call we placed: the far end is whom we dialled. */
  | { kind: 'dialled'; name: string | undefined; number: string };

/**
 * The caller's name for the card: a colleague's from the directory (`colleagueName`; the user id
 * while the directory has not arrived), an outside caller's only from the firm's own contacts, and a
 * colleague we called by his directory name.
 */
export function callerLabel(
  line: {
    remoteUser: string;
    remoteName: string | undefined;
    caller?: 'colleague' | 'outside' | undefined;
    lookup: { contact?: { name: string } | null } | null;
  },
  colleagueName: (id: string) => string | undefined,
): CallerLabel {
  if (line.caller === 'colleague') return { kind: 'colleague', name: colleagueName(line.remoteUser) ?? line.remoteUser };
  if (line.caller === 'outside') return { kind: 'outside', name: line.lookup?.contact?.name, number: line.remoteUser };
  // A call we placed to a colleague (a consultation): we dialled a directory user, so the directory names him.
  const colleague = colleagueName(line.remoteUser);
  if (colleague) return { kind: 'colleague', name: colleague };
  return { kind: 'dialled', name: line.lookup?.contact?.name ?? line.remoteName, number: line.remoteUser };
}
