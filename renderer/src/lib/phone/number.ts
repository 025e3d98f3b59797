import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** What the user typed, turned into the user part the PBX routes (docs/calls.md). */
export type DialTarget =
  | { ok: true; kind: 'number'; user: string; display: string }
  | { ok: true; kind: 'user'; user: string; display: string }
  | { ok: false; reason: 'empty' | 'invalid' };

const SIP_USER = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const SEPARATORS = /[\s()./-]/g;

/**
 * German number input: "030 123 45-67", "0171/2345678", "+49 (0)30 1234567", "0049 30 …" all become
 * E.164 (+4930…), the form the PBX knows tenant numbers and trunks in. Short digit strings without a
 * leading 0 are internal extensions and stay as typed; "*" and "#" codes too. A SIP user name
 * ("bob") or a sip: URI of our domain dials that user.
 */
export function parseDialInput(input: string, defaultCountry: 'DE' | 'AT' | 'CH' = 'DE'): DialTarget {
  let text = input.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  const sip = /^sips?:([^@;?]+)(@[^;?]*)?/i.exec(text);
  if (sip) text = decodeURIComponent(sip[1]!);
  if (/^tel:/i.test(text)) text = text.slice(4).split(';')[0]!;
  const lower = text.toLowerCase();
  if (/[a-z]/.test(lower) && !/^\+?[0-9\s()./-]*$/.test(lower)) {
    return SIP_USER.test(lower) ? { ok: true, kind: 'user', user: lower, display: lower } : { ok: false, reason: 'invalid' };
  }
  // "+49 (0)30 …": the bracketed trunk zero must go before the separators do.
  const compact = text.replace(/\(0\)/g, '').replace(SEPARATORS, '');
  if (!/^\+?[0-9*#]{1,32}$/.test(compact)) return { ok: false, reason: 'invalid' };
  if (/[*#]/.test(compact)) return { ok: true, kind: 'number', user: compact, display: compact };
  if (!compact.startsWith('0') && !compact.startsWith('+') && compact.length <= 6) {
    return { ok: true, kind: 'number', user: compact, display: compact };
  }
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  const parsed = parsePhoneNumberFromString(international, defaultCountry);
  if (!parsed || !parsed.isPossible()) return { ok: false, reason: 'invalid' };
  return { ok: true, kind: 'number', user: parsed.number, display: parsed.formatInternational() };
}

/** The caller's number as the store's lookup wants it: the user part of a From URI, unescaped. */
export function callerNumber(user: string | undefined): string {
  if (!user) return '';
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
