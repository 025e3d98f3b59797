/**
 * `sip:<user>@<domain>` for a SIP user or an E.164 number: the user part percent-encoded (RFC 3261
 * 25.1), but a leading `+` kept as the PBX routes it.
 */
export function userUri(user: string, domain: string): string {
  return `sip:${encodeURIComponent(user).replace(/%2B/g, '+')}@${domain}`;
}
