import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  TOKEN_COOKIE,
  guardRequest,
  isAllowedHost,
  isLoopbackAddress,
  presentedToken,
  tokenMatches,
} from '../../../../electron/browser-shell/guard.js';

const PORT = 43_210;
const TOKEN = 'k'.repeat(43);

function request(headers: Record<string, string>, remoteAddress = '127.0.0.1'): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

describe('the browser shell Host check', () => {
  it.each([`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`])('accepts this listener as %s', (host) => {
    expect(isAllowedHost(host, PORT)).toBe(true);
  });

  // Each row is what a loosened comparison (prefix, suffix, substring, no port, any case, any
  // loopback address) would let through; a DNS-rebinding page controls everything before the port.
  it.each([
    ['a rebinding name that starts like the listener', `127.0.0.1.evil.example:${PORT}`],
    ['a rebinding name that starts like localhost', `localhost.evil.example:${PORT}`],
    ['a name that ends like the listener', `evil.example.127.0.0.1:${PORT}`],
    ['a name that contains the listener', `x127.0.0.1:${PORT}`],
    ['the listener with a suffix after the port', `127.0.0.1:${PORT}.evil.example`],
    ['another port on loopback', `127.0.0.1:${PORT + 1}`],
    ['a port that starts like ours', `127.0.0.1:${PORT}0`],
    ['localhost on another port', `localhost:${PORT + 1}`],
    ['no port at all', '127.0.0.1'],
    ['localhost without a port', 'localhost'],
    ['another loopback address', `127.0.0.2:${PORT}`],
    ['IPv6 loopback without brackets', `::1:${PORT}`],
    ['a foreign name on our port', `evil.example:${PORT}`],
    ['an upper-case look-alike', `LOCALHOST.EVIL.EXAMPLE:${PORT}`],
    ['the listener with surrounding space', ` 127.0.0.1:${PORT} `],
    ['an empty header', ''],
  ])('refuses %s', (_what, host) => {
    expect(isAllowedHost(host, PORT)).toBe(false);
  });

  it('refuses a request without a Host header', () => {
    expect(isAllowedHost(undefined, PORT)).toBe(false);
  });
});

describe('the browser shell peer check', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('accepts loopback %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['192.168.1.20', '10.0.0.1', '::ffff:10.0.0.1', '::2', '128.0.0.1', '127.0.0.1.evil', 'x127.0.0.1', ''])(
    'refuses %s',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );

  it('refuses a socket without an address', () => {
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});

describe('the browser shell token', () => {
  it('matches only the whole token', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, undefined)).toBe(false);
    expect(tokenMatches(TOKEN, '')).toBe(false);
    expect(tokenMatches(TOKEN, TOKEN.slice(0, -1))).toBe(false);
    expect(tokenMatches(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(tokenMatches(TOKEN, `${TOKEN.slice(0, -1)}K`)).toBe(false);
  });

  it('is read from the bearer header, then ?token=, then the cookie', () => {
    const url = (query = '') => new URL(`http://127.0.0.1/${query}`);
    expect(presentedToken(request({ authorization: `Bearer ${TOKEN}` }), url('?token=q'))).toBe(TOKEN);
    expect(presentedToken(request({ cookie: `${TOKEN_COOKIE}=c` }), url('?token=q'))).toBe('q');
    expect(presentedToken(request({ cookie: `other=1; ${TOKEN_COOKIE}=c` }), url())).toBe('c');
    // A Basic header or a cookie of another name is not a token.
    expect(presentedToken(request({ authorization: `Basic ${TOKEN}` }), url())).toBeUndefined();
    expect(presentedToken(request({ cookie: `x${TOKEN_COOKIE}=${TOKEN}` }), url())).toBeUndefined();
  });
});

describe('guardRequest', () => {
  const url = new URL('http://127.0.0.1/');
  const good = { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${TOKEN}` };

  it('lets a loopback peer with the right Host and token through', () => {
    expect(guardRequest(request(good), url, TOKEN, PORT)).toEqual({ ok: true });
  });

  it('refuses each failure with its own status, whatever else is right', () => {
    expect(guardRequest(request(good, '192.168.1.20'), url, TOKEN, PORT)).toMatchObject({ ok: false, status: 403 });
    expect(guardRequest(request({ ...good, host: `127.0.0.1.evil.example:${PORT}` }), url, TOKEN, PORT)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(guardRequest(request({ host: good.host }), url, TOKEN, PORT)).toMatchObject({ ok: false, status: 401 });
    expect(guardRequest(request({ ...good, authorization: 'Bearer ' }), url, TOKEN, PORT)).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});
