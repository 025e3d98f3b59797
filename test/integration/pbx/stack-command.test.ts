import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tcpOpen } from '../../../pbx/daemons.js';
import type { StackInfo } from '../../../pbx/stack-runner.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';
import { startProcess, type Started } from '../../helpers/processes.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';

/** Status of a GET without a client certificate, as a calendar app makes it. */
function statusWithoutCertificate(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

// `npm run stack` itself, as a developer runs it: one process that starts rtpengine, Kamailio and
// the central server, writes stack.json and takes them all down on SIGTERM.
const root = join(import.meta.dirname, '..', '..', '..');
let pki: PkiHome;
let stack: (Started & { match: RegExpMatchArray }) | undefined;

beforeAll(async () => {
  pki = await createPkiHome();
});

afterAll(async () => {
  await stack?.stop();
  pki?.cleanup();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm run stack -- ARGS` as a process, resolved once it says it is ready (the last test waits for a refusal). */
const runStack = (args: string[], ready = /stack: ready: /, timeoutMs = 80_000) =>
  startProcess(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'stack.ts'), ...args],
    ready,
    {
      cwd: root,
      timeoutMs,
    },
  );

const stackInfo = (home: string) => JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackInfo;

/** A home whose bundles name fixed free ports for the PBX, the server and the calendar feed. */
async function homeOnFixedPorts(): Promise<{ home: PkiHome; wss: number; server: number; feed: number }> {
  const [wss, server, feed] = [await freePort('both'), await freePort('tcp'), await freePort('tcp')];
  const home = await createPkiHome({
    pbxUrl: `wss://127.0.0.1:${wss}/`,
    serverUrl: `https://127.0.0.1:${server}/`,
    calendarUrl: `https://127.0.0.1:${feed}/`,
  });
  return { home, wss, server, feed };
}

describe('npm run stack', () => {
  it('starts the PBX, media relay and server, writes stack.json and stops them all on SIGTERM', async () => {
    stack = await runStack(['--home', pki.home, '--random-ports']);
    const info = stackInfo(pki.home);
    expect(info.pbxWss).toBe(`wss://127.0.0.1:${info.ports.wss}`);
    expect(info.pbxUdp).toBe(`sip:127.0.0.1:${info.ports.udp};transport=udp`);
    expect(info.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+/);
    expect(await tcpOpen('127.0.0.1', info.ports.wss)).toBe(true);
    expect(await tcpOpen('127.0.0.1', info.ports.server!)).toBe(true);
    for (const file of Object.values(info.logs)) expect(existsSync(file)).toBe(true);
    const pids = [info.pids.kamailio, info.pids.rtpengine, info.pids.server!];
    expect(pids.every(alive)).toBe(true);

    await stack.stop('SIGTERM');
    await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(await tcpOpen('127.0.0.1', info.ports.wss)).toBe(false);
  });

  it('listens on the ports the provisioning bundles of the home point at', async () => {
    const { home, wss, server, feed } = await homeOnFixedPorts();
    const fixed = await runStack(['--home', home.home]);
    try {
      const info = stackInfo(home.home);
      expect(info.ports.wss).toBe(wss);
      expect(info.ports.server).toBe(server);
      expect(info.ports.feed).toBe(feed);
      expect(info.feed).toBe(`https://127.0.0.1:${feed}`);
      // `calendar url` points at the listener the stack started, not at the sync port
      const feedUrl = (await home.admin('calendar', 'url', 'tischlerei')).trim();
      expect(feedUrl).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${feed}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
      // the running server picks the new token up from directory.json by itself
      await expect.poll(() => statusWithoutCertificate(feedUrl, home.caPem), { timeout: 5000 }).toBe(200);
      expect(home.users.anna!.payload.pbxUrl).toBe(`wss://127.0.0.1:${wss}/`);
    } finally {
      await fixed.stop('SIGTERM');
      home.cleanup();
    }
  });

  it('with --database, listens on the ports of the URLs the directory in PostgreSQL holds', async () => {
    const { home, wss, server, feed } = await homeOnFixedPorts();
    const db = await freshDatabase('pbxmirror_stack');
    let shared: Started | undefined;
    try {
      await home.admin('directory', 'migrate', '--database', db.url);
      // The migration renamed the home's directory.json: the URLs are in the database only.
      expect(existsSync(join(home.home, 'directory.json'))).toBe(false);
      shared = await runStack(['--home', home.home, '--database', db.url]);
      const info = stackInfo(home.home);
      expect([info.ports.wss, info.ports.server, info.ports.feed]).toEqual([wss, server, feed]);
    } finally {
      await shared?.stop('SIGTERM');
      await db.drop();
      home.cleanup();
    }
  });

  it('names the missing home instead of starting half a stack', async () => {
    const failed = runStack(['--home', join(pki.home, 'nothing-here')], /never/, 30_000);
    await expect(failed).rejects.toThrow(/ca\.crt\.pem is missing: run `npm run admin -- ca init/);
  });
});
