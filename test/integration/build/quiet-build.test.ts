import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/repo-root.js';

/**
 * `npm start` builds every time, so whatever the build prints the user reads every time: it must
 * print nothing but real problems. Each build of `npm run build` runs as there (`--logLevel warn`),
 * into a directory of its own so the suite's `dist/` stays as it is.
 */
const out = mkdtempSync(join(tmpdir(), 'vermittlung-build-'));
const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

function build(...args: string[]) {
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, output: (result.stdout + result.stderr).trim() };
}

describe('the build npm start runs', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds the renderer without a warning, in chunks under the warning size', () => {
    const renderer = join(out, 'renderer');
    const { status, output } = build('--outDir', renderer, '--emptyOutDir');
    expect(output).toBe('');
    expect(status).toBe(0);
    expect(readdirSync(join(renderer, 'assets')).filter((name) => name.endsWith('.js')).length).toBeGreaterThan(1);
  }, 120_000);

  it.each(['main', 'preload', 'worker'])(
    'builds the %s process without a warning',
    (mode) => {
      const { status, output } = build('-c', 'vite.electron.config.ts', '--mode', mode, '--outDir', join(out, 'electron'));
      expect(output).toBe('');
      expect(status).toBe(0);
    },
    120_000,
  );
});
