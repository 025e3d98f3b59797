import type { LineView } from './types.js';

/**
 * Set by the PBX alone (it strips it from everything it receives) on the one INVITE a colleague's
 * REFER asked for: that colleague's user id (pbx/kamailio.cfg.template, route[TRANSFERRED_BY]).
 */
export const TRANSFERRED_BY = 'X-Vermittlung-Transferred-By';

/**
 * The firm number the caller dialled, on a REFER to a colleague: the PBX keeps it with the transfer
 * and adds it, with `X-Vermittlung-Transferred-By`, to the INVITE that REFER leads to (the caller never
 * sees it). Believed only next to the PBX's Transferred-By.
 */
export const TRANSFER_DIALLED = 'X-Vermittlung-Transfer-Dialled';

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

/** The firm number a call came in on: the dialled number the PBX delivered, else the firm's first. */
function firmNumber(line: Pick<LineView, 'dialled' | 'lookup'>): string | undefined {
  const compact = (line.dialled ?? line.lookup?.tenant?.numbers[0])?.replace(/[\s/()-]/g, '');
  return compact && NUMBER.test(compact) ? compact : undefined;
}

/** The header of a REFER that hands this call to a colleague (none when there is no firm number). */
export function transferHeaders(line: Pick<LineView, 'dialled' | 'lookup'>): string[] {
  const number = firmNumber(line);
  return number ? [`${TRANSFER_DIALLED}: ${number}`] : [];
}

/** A firm number the PBX passed on with a transfer; undefined when it is none. */
export function transferDialled(header: string | undefined): string | undefined {
  const number = header?.trim();
  return number && NUMBER.test(number) ? number : undefined;
}

/** The headers of a consultation INVITE for the held `original` call (none when there is nothing to say). */
export function consultHeaders(original: Pick<LineView, 'remoteUser' | 'dialled' | 'lookup'>): string[] {
  const headers: string[] = [];
  if (NUMBER.test(original.remoteUser)) headers.push(`${CONSULT_CALLER}: ${original.remoteUser}`);
  else return headers;
  const dialled = firmNumber(original);
  if (dialled) headers.push(`${CONSULT_DIALLED}: ${dialled}`);
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
