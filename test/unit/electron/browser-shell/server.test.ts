import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { guardRequest, isLoopbackAddress } from '../../../../electron/browser-shell/guard.js';
import { startBrowserShell, type BrowserShell } from '../../../../electron/browser-shell/server.js';
import { createCore } from '../../../../electron/core/composition.js';
import { readStaticFile } from '../../../../electron/core/hosting/static-files.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('browser shell', () => {
  let shell: BrowserShell;

  /** The status of a WebSocket upgrade: 101 when it opened (then closed again), else the refusal's. */
  function upgradeStatus(headers: Record<string, string>, path = '/api/events'): Promise<number> {
    const { Origin: origin, ...rest } = headers;
    const socket = new WebSocket(`ws://127.0.0.1:${shell.port}${path}`, { headers: rest, ...(origin ? { origin } : {}) });
    return new Promise((resolve, reject) => {
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', reject);
    });
  }
  const renderer = mkdtempSync(join(tmpdir(), 'vermittlung-renderer-'));

  beforeAll(async () => {
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Vermittlung</title>');
    mkdirSync(join(renderer, 'assets'));
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'secret-outside.txt'), 'secret');
    const core = createCore({
      profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-shell-')),
      appVersion: '1.2.3',
      shell: 'browser',
    });
    shell = await startBrowserShell({ core, rendererDir: renderer });
  });
  afterAll(() => shell.close());

  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 without the token, for pages, API and assets alike', async () => {
    expect((await http(shell.port, '/')).status).toBe(401);
    expect((await http(shell.port, '/assets/app.js')).status).toBe(401);
    expect((await http(shell.port, '/api/invoke', { method: 'POST', body: '{"method":"app.info"}' })).status).toBe(401);
    expect((await http(shell.port, '/?token=wrong')).status).toBe(401);
    expect((await http(shell.port, '/', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('trades the token for an HttpOnly cookie and serves the app with the CSP', async () => {
    const first = await http(shell.port, `/?token=${shell.token}`);
    expect(first.status).toBe(303);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await http(shell.port, '/', { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Vermittlung</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe');
  });

  it('refuses a foreign Host header (DNS rebinding) and cross-origin API calls', async () => {
    const auth = { Authorization: `Bearer ${shell.token}` };
    expect((await http(shell.port, '/', { headers: { ...auth, Host: 'evil.example' } })).status).toBe(403);
    const cross = await http(shell.port, '/api/invoke', {
      method: 'POST',
      headers: { ...auth, Origin: 'https://evil.example' },
      body: '{"method":"app.info"}',
    });
    expect(cross.status).toBe(403);
  });

  it('refuses Host headers that only look like this listener, on pages, API and socket alike', async () => {
    const auth = { Authorization: `Bearer ${shell.token}` };
    const lookAlikes = [
      `127.0.0.1.evil.example:${shell.port}`,
      `localhost.evil.example:${shell.port}`,
      `127.0.0.1:${shell.port + 1}`,
      `127.0.0.1:${shell.port}.evil.example`,
    ];
    for (const host of lookAlikes) {
      expect((await http(shell.port, '/', { headers: { ...auth, Host: host } })).status, host).toBe(403);
      const invoke = await http(shell.port, '/api/invoke', {
        method: 'POST',
        headers: { ...auth, Host: host },
        body: '{"method":"app.info"}',
      });
      expect(invoke.status, host).toBe(403);
      expect(await upgradeStatus({ ...auth, Host: host }), host).toBe(403);
    }
    // The same request with this listener's own Host passes: the refusals above are the Host's doing.
    expect((await http(shell.port, '/', { headers: { ...auth, Host: `localhost:${shell.port}` } })).status).toBe(200);
  });

  it('refuses API calls and socket upgrades from a foreign or opaque Origin, even with the token', async () => {
    const auth = { Authorization: `Bearer ${shell.token}` };
    const foreign = [
      'https://evil.example',
      `http://127.0.0.1.evil.example:${shell.port}`,
      `http://127.0.0.1:${shell.port + 1}`,
      'null',
    ];
    for (const origin of foreign) {
      expect(await upgradeStatus({ ...auth, Origin: origin }), origin).toBe(403);
      const invoke = await http(shell.port, '/api/invoke', {
        method: 'POST',
        headers: { ...auth, Origin: origin },
        body: '{"method":"app.info"}',
      });
      expect(invoke.status, origin).toBe(403);
    }
    // The page's own origin is welcome on both.
    expect(await upgradeStatus({ ...auth, Origin: `http://127.0.0.1:${shell.port}` })).toBe(101);
    const own = await http(shell.port, '/api/invoke', {
      method: 'POST',
      headers: { ...auth, Origin: `http://localhost:${shell.port}` },
      body: '{"method":"app.info"}',
    });
    expect(own.status).toBe(200);
  });

  it('upgrades /api/events only', async () => {
    const auth = { Authorization: `Bearer ${shell.token}` };
    expect(await upgradeStatus(auth, '/api/invoke')).toBe(403);
    expect(await upgradeStatus(auth, '/')).toBe(403);
  });

  it('refuses non-loopback clients', () => {
    const fakeRequest = (remoteAddress: string) =>
      ({
        socket: { remoteAddress },
        headers: { host: `127.0.0.1:${shell.port}`, authorization: `Bearer ${shell.token}` },
      }) as never;
    const url = new URL('http://127.0.0.1/');
    expect(guardRequest(fakeRequest('192.168.1.20'), url, shell.token, shell.port)).toMatchObject({ ok: false, status: 403 });
    expect(guardRequest(fakeRequest('::ffff:10.0.0.1'), url, shell.token, shell.port)).toMatchObject({ ok: false, status: 403 });
    expect(guardRequest(fakeRequest('127.0.0.1'), url, shell.token, shell.port)).toEqual({ ok: true });
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.0.0.1.evil')).toBe(false);
  });

  it('serves the host API and returns validation errors as data', async () => {
    const auth = { Authorization: `Bearer ${shell.token}`, 'Content-Type': 'application/json' };
    const info = await http(shell.port, '/api/invoke', { method: 'POST', headers: auth, body: '{"method":"app.info"}' });
    expect(JSON.parse(info.body)).toMatchObject({ ok: true, value: { version: '1.2.3', shell: 'browser' } });
    const bad = await http(shell.port, '/api/invoke', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ method: 'settings.set', input: { language: 'xx' } }),
    });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'validation', field: 'input.language' } });
    expect((await http(shell.port, '/api/invoke', { method: 'POST', headers: auth, body: '{oops' })).status).toBe(400);
    const huge = await http(shell.port, '/api/invoke', { method: 'POST', headers: auth, body: 'x'.repeat(3 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('never serves a file outside the renderer directory', async () => {
    const auth = { Authorization: `Bearer ${shell.token}` };
    for (const path of ['/../secret-outside.txt', '/%2e%2e/secret-outside.txt', '/assets/..%2f..%2fsecret-outside.txt', '/%00']) {
      const reply = await http(shell.port, path, { headers: auth });
      expect(reply.body).not.toContain('secret');
    }
    expect(await readStaticFile(renderer, '/../secret-outside.txt')).toBeUndefined();
    expect(await readStaticFile(renderer, '/..%5csecret-outside.txt')).toBeUndefined();
  });

  it('pushes events over the WebSocket only to token holders from the same origin', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${shell.port}/api/events`);
    const refusedStatus = await new Promise<number>((resolve) =>
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(refusedStatus).toBe(401);

    const socket = new WebSocket(`ws://127.0.0.1:${shell.port}/api/events`, {
      headers: { Authorization: `Bearer ${shell.token}` },
    });
    await new Promise((resolve) => socket.on('open', resolve));
    const message = new Promise<string>((resolve) => socket.on('message', (data: Buffer) => resolve(data.toString())));
    await http(shell.port, '/api/invoke', {
      method: 'POST',
      headers: { Authorization: `Bearer ${shell.token}` },
      body: JSON.stringify({ method: 'settings.set', input: { theme: 'dark' } }),
    });
    expect(JSON.parse(await message)).toMatchObject({ event: 'settings.changed', payload: { theme: 'dark' } });
    socket.close();
  });

  it('answers host API calls over the WebSocket, with the same validation, and never dies of garbage', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${shell.port}/api/events`, {
      headers: { Authorization: `Bearer ${shell.token}` },
    });
    await new Promise((resolve) => socket.on('open', resolve));
    const replies = new Map<number, unknown>();
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { reply?: number; result?: unknown };
      if (typeof message.reply === 'number') replies.set(message.reply, message.result);
    });
    const answer = async (id: number) => {
      for (let i = 0; i < 200 && !replies.has(id); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      return replies.get(id);
    };
    socket.send('{oops');
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(JSON.stringify({ method: 'app.info' })); // no id: nobody to answer
    socket.send(JSON.stringify({ id: 1, method: 'app.info', input: null }));
    socket.send(JSON.stringify({ id: 2, method: 'settings.set', input: { language: 'xx' } }));
    socket.send(JSON.stringify({ id: 3, method: 'no.such.method' }));
    socket.send(JSON.stringify({ id: 4, method: 'app.info', extra: true }));
    expect(await answer(1)).toMatchObject({ ok: true, value: { version: '1.2.3', shell: 'browser' } });
    expect(await answer(2)).toMatchObject({ ok: false, error: { code: 'validation', field: 'input.language' } });
    expect(await answer(3)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await answer(4)).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect([...replies.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });
});
