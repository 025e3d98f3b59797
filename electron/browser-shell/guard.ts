import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'vermittlung_token';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The Host header must name this loopback listener, which defeats DNS-rebinding pages. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  // A token in the URL wins over a cookie: after a restart the browser still holds the old one.
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  return parseCookies(req.headers.cookie)[TOKEN_COOKIE];
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/**
 * Every request passes here first: loopback peers only, the right Host, and the per-launch token
 * (header, cookie, or `?token=` on the first page load).
 */
export function guardRequest(req: IncomingMessage, url: URL, token: string, port: number): GuardVerdict {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return { ok: false, status: 403, reason: 'client is not on loopback' };
  if (!isAllowedHost(req.headers.host, port)) return { ok: false, status: 403, reason: 'unexpected Host header' };
  if (!tokenMatches(token, presentedToken(req, url))) return { ok: false, status: 401, reason: 'missing or wrong token' };
  return { ok: true };
}
