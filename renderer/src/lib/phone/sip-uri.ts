import { stripUnsafeText } from '../../../../protocol/text-values.js';

/**
 * `sip:<user>@<domain>` for a SIP user or an E.164 number: the user part percent-encoded (RFC 3261
 * 25.1), but a leading `+` kept as the PBX routes it.
 */
export function userUri(user: string, domain: string): string {
  return `sip:${encodeURIComponent(user).replace(/%2B/g, '+')}@${domain}`;
}

/**
 * A display name as the content of a SIP quoted-string (sip.js puts it between quotes verbatim):
 * line breaks and tabs become spaces and other controls go, so a name can never end the header
 * or start another one; `"` and `\\` are escaped as quoted-pairs (RFC 3261 §25.1).
 */
export function sipDisplayName(name: string): string {
  return stripUnsafeText(name)
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .replace(/["\\]/g, (c) => `\\${c}`);
}
