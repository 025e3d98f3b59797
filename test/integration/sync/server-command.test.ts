import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../pbx/daemons.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';
import { startProcess } from '../../helpers/processes.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SERVER = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'server', 'main.ts')];

/** `npm run server` as an administrator starts it: the ports come from the home unless given. */
describe('npm run server: listener ports', () => {
  const homes: PkiHome[] = [];
  afterAll(() => {
    for (const home of homes) home.cleanup();
  });

  it('without --port/--feed-port it listens on the ports of the home’s server and calendar URLs', async () => {
    const [syncPort, feedPort] = [await freePort('tcp'), await freePort('tcp')];
    const pki = await createPkiHome({
      serverUrl: `https://127.0.0.1:${syncPort}/`,
      calendarUrl: `https://127.0.0.1:${feedPort}/`,
    });
    homes.push(pki);
    const server = await startProcess(
      process.execPath,
      [...SERVER, '--home', pki.home],
      /Vermittlung-Server läuft: (https:\/\/\S+) \(Kalender-Feed: (https:\/\/\S+)\)/,
      { timeoutMs: 60_000 },
    );
    try {
      expect(server.match[1]).toBe(`https://127.0.0.1:${syncPort}`);
      expect(server.match[2]).toBe(`https://127.0.0.1:${feedPort}`);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('refuses a bad port, and a home without server settings unless the ports are given', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [...SERVER, ...args], { timeout: 30_000 }, (error, _stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
        );
      });
    const bad = await run(['--home', '/nonexistent-home', '--port', '70000', '--feed-port', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be 0..65535, got 70000');
    const empty = await run(['--home', '/nonexistent-home']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the home has no server settings');
  }, 60_000);
});
