import type { LineView } from './types.js';

/**
 * Set by the PBX alone (it strips it from everything it receives) on the one INVITE a colleague's
 * REFER asked for: that colleague's user id (pbx/kamailio.cfg.template, route[TRANSFERRED_BY]).
 */
export const TRANSFERRED_BY = 'X-Vermittlung-Transferred-By';

/**
 * What a consultation call says about the caller who waits: his number and the firm number he
 * dialled. The app adds them to its consultation INVITE; the colleague's app believes them only on a
 * call the PBX names as a colleague's (`X-Vermittlung-Caller`), so an outsider cannot send them.
 */
export const CONSULT_CALLER = 'X-Vermittlung-Consult-Caller';
export const CONSULT_DIALLED = 'X-Vermittlung-Consult-Dialled';

/** The waiting caller a consultation is about, as the consulted colleague's line keeps it. */
export interface ConsultAbout {
  caller: string;
  dialled: string | undefined;
}

const NUMBER = /^\+?[0-9*#]{1,32}$/;
const USER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The headers of a consultation INVITE for the held `original` call (none when there is nothing to say). */
export function consultHeaders(original: Pick<LineView, 'remoteUser' | 'dialled' | 'lookup'>): string[] {
  const headers: string[] = [];
  if (NUMBER.test(original.remoteUser)) headers.push(`${CONSULT_CALLER}: ${original.remoteUser}`);
  else return headers;
  const dialled = original.dialled ?? original.lookup?.tenant?.numbers[0];
  const compact = dialled?.replace(/[\s/()-]/g, '');
  if (compact && NUMBER.test(compact)) headers.push(`${CONSULT_DIALLED}: ${compact}`);
  return headers;
}

/** Reads a consultation INVITE's headers; only a colleague's call (the PBX's word) may carry them. */
export function consultAbout(
  header: (name: string) => string | undefined,
  caller: 'colleague' | 'outside',
): ConsultAbout | undefined {
  if (caller !== 'colleague') return undefined;
  const number = header(CONSULT_CALLER)?.trim();
  if (!number || !NUMBER.test(number)) return undefined;
  const dialled = header(CONSULT_DIALLED)?.trim();
  return { caller: number, dialled: dialled && NUMBER.test(dialled) ? dialled : undefined };
}

/** The colleague who transferred this call, on the PBX's word; undefined when nobody did. */
export function transferredBy(header: string | undefined): string | undefined {
  const user = header?.trim();
  return user && USER_ID.test(user) ? user : undefined;
}
