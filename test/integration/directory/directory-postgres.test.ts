/**
 * The directory in PostgreSQL (docs/architecture.md, "Directory"): two server processes and the PBX
 * on one database, no shared directory file. A user the admin CLI adds there is accepted by both
 * servers (mutual TLS) and registered by Kamailio within 2 s; her revocation closes her live
 * connections on both servers and the PBX refuses her. Real PostgreSQL, Kamailio, rtpengine.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SYNC_WIRE_HEADER, SYNC_WIRE_VERSION } from '../../../protocol/sync-version.js';
import { createPkiHome, readBundle, type PkiHome, type PkiUser } from '../../helpers/pki.js';
import type { Started } from '../../helpers/processes.js';
import { REPO_ROOT as repoRoot } from '../../helpers/repo-root.js';
import { startServerProcess } from '../../helpers/server-process.js';
import { sipRequest, sipStatus, startTestStack, type Stack } from '../../helpers/stack.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';

const run = promisify(execFile);
let pki: PkiHome;
let db: Awaited<ReturnType<typeof freshDatabase>>;
const servers: (Started & { url: string })[] = [];
let stack: Stack;
const sockets: WebSocket[] = [];

/** What `npm run admin -- …` runs, as its own process: the CLI never shares memory with the servers. */
async function admin(...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'server', 'admin', 'cli.ts'), ...args, '--home', pki.home, '--database', db.url],
    { cwd: repoRoot },
  );
  return stdout;
}

const tlsOf = (user: PkiUser) => ({ pfx: user.pfx, passphrase: user.passphrase, ca: pki.caPem });

/** GET /directory/me with her certificate: the status, or 'refused' when the handshake or socket fails. */
function me(url: string, user: PkiUser): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/directory/me`,
      { ...tlsOf(user), headers: { [SYNC_WIRE_HEADER]: String(SYNC_WIRE_VERSION) }, agent: false, timeout: 3000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve('refused'));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Her live channel on a server, recording when it closes. */
function live(url: string, user: PkiUser): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(`${url.replace('https:', 'wss:')}/sync/live`, {
    ...tlsOf(user),
    headers: { [SYNC_WIRE_HEADER]: String(SYNC_WIRE_VERSION) },
  });
  sockets.push(socket);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** A SIP-over-WSS connection to the PBX with her certificate; `register()` answers the final status, or 'closed'. */
function pbx(user: PkiUser) {
  const socket = new WebSocket(stack.info.pbxWss, 'sip', tlsOf(user));
  sockets.push(socket);
  const messages: string[] = [];
  let closed = false;
  socket.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
  socket.on('error', () => undefined);
  const gone = new Promise<void>((resolve) => socket.once('close', () => ((closed = true), resolve())));
  const opened = new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
  const register = async (timeoutMs = 3000): Promise<number | 'closed'> => {
    if (!(await opened) || closed) return 'closed';
    const message = sipRequest({ method: 'REGISTER', user: user.payload.user, domain: stack.info.sipDomain });
    const callId = /Call-ID: (\S+)/.exec(message)![1]!;
    socket.send(message);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = messages.find((m) => m.includes(callId) && (sipStatus(m) ?? 0) >= 200);
      if (reply) return sipStatus(reply)!;
      if (closed) return 'closed';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return closed ? 'closed' : 0;
  };
  return { register, gone, close: () => socket.close() };
}

/** Polls `probe` until it gives `want`; returns the milliseconds it took, or throws after `timeoutMs`. */
async function within<T>(what: string, probe: () => Promise<T>, want: (value: T) => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last: T | undefined;
  while (Date.now() - started < timeoutMs) {
    last = await probe();
    if (want(last)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
}

beforeAll(async () => {
  pki = await createPkiHome({ tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] }], users: [] });
  db = await freshDatabase('directory_pg');
  // The servers start on the home's file and switch to PostgreSQL on the migration's NOTIFY.
  for (let i = 0; i < 2; i++) servers.push(await startServerProcess({ home: pki.home, database: db.url }));
  await admin('directory', 'migrate');
  stack = await startTestStack(pki.home, { directoryDatabase: db.url });
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await stack?.stop();
  for (const server of servers) await server.stop();
  await db?.drop();
  pki?.cleanup();
}, 60_000);

describe('the directory in PostgreSQL, two server processes and the PBX', () => {
  let nina: PkiUser;

  it('a user added with the admin CLI is accepted by both servers and registered by the PBX within 2 s', async () => {
    const out = join(pki.home, 'bundles', 'nina.json');
    await admin(
      'user',
      'add',
      'nina',
      '--name',
      'Nina Berg',
      '--tenant',
      'mueller',
      '--out',
      out,
      '--passphrase',
      'pass-nina-1234',
    );
    const added = Date.now();
    nina = { id: 'nina', ...readBundle(out, 'pass-nina-1234') };
    const waits = await Promise.all([
      ...servers.map((server, i) =>
        within(
          `server ${i + 1} accepts nina`,
          () => me(server.url, nina),
          (s) => s === 200,
          2000,
        ),
      ),
      within(
        'the PBX registers nina',
        async () => {
          // Each probe on its own connection, closed after: a refused REGISTER leaves nothing open.
          const probe = pbx(nina);
          const status = await probe.register(1000);
          probe.close();
          return status;
        },
        (s) => s === 200,
        2000,
      ),
    ]);
    expect(Date.now() - added).toBeLessThan(2500);
    expect(waits.every((ms) => ms < 2000)).toBe(true);
  }, 30_000);

  it('a revocation closes her live connections on both servers and the PBX refuses her', async () => {
    const channels = await Promise.all(servers.map((server) => live(server.url, nina)));
    const phone = pbx(nina);
    expect(await phone.register()).toBe(200);

    await admin('user', 'revoke', 'nina');
    const revoked = Date.now();
    const codes = await Promise.race([
      Promise.all(channels.map((c) => c.closed)),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('live channels still open 3 s after the revocation')), 3000),
      ),
    ]);
    // 4403: access withdrawn by the hub; 1006: the socket destroyed for the new CRL — either way closed by the server.
    for (const code of codes) expect([4403, 1006]).toContain(code);
    await Promise.race([
      phone.gone,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('PBX connection still open 5 s after the revocation')), 5000),
      ),
    ]);
    expect(Date.now() - revoked).toBeLessThan(5000);
    for (const server of servers) expect(await me(server.url, nina)).not.toBe(200);
    expect(await pbx(nina).register()).not.toBe(200);
  }, 30_000);
});
