import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tcpOpen } from '../../../pbx/daemons.js';
import type { StackInfo } from '../../../pbx/stack-runner.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';
import { startProcess, type Started } from '../../helpers/processes.js';

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

describe('npm run stack', () => {
  it('starts the PBX, media relay and server, writes stack.json and stops them all on SIGTERM', async () => {
    stack = await startProcess(
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'scripts', 'stack.ts'),
        '--home',
        pki.home,
        '--random-ports',
      ],
      /stack: ready: /,
      {
        cwd: root,
        timeoutMs: 80_000,
      },
    );
    const info = JSON.parse(readFileSync(join(pki.home, 'stack.json'), 'utf8')) as StackInfo;
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
    const [wss, server] = [await freePort('both'), await freePort('tcp')];
    const home = await createPkiHome({ pbxUrl: `wss://127.0.0.1:${wss}/`, serverUrl: `https://127.0.0.1:${server}/` });
    const fixed = await startProcess(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'stack.ts'), '--home', home.home],
      /stack: ready: /,
      { cwd: root, timeoutMs: 80_000 },
    );
    try {
      const info = JSON.parse(readFileSync(join(home.home, 'stack.json'), 'utf8')) as StackInfo;
      expect(info.ports.wss).toBe(wss);
      expect(info.ports.server).toBe(server);
      expect(home.users.anna!.payload.pbxUrl).toBe(`wss://127.0.0.1:${wss}/`);
    } finally {
      await fixed.stop('SIGTERM');
      home.cleanup();
    }
  });

  it('names the missing home instead of starting half a stack', async () => {
    const failed = startProcess(
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'scripts', 'stack.ts'),
        '--home',
        join(pki.home, 'nothing-here'),
      ],
      /never/,
      {
        cwd: root,
      },
    );
    await expect(failed).rejects.toThrow(/ca\.crt\.pem is missing: run `npm run admin -- ca init/);
  });
});
