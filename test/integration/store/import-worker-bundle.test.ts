import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../helpers/unit-store.js';

const root = join(import.meta.dirname, '..', '..', '..');
// Inside the repository, so the bundle's require() finds node_modules as it does next to main.cjs.
const outDir = join(root, 'dist', `import-worker-test-${process.pid}`);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the bundled import worker', () => {
  it('is built by vite.electron.config.ts --mode worker and imports from plain Node', async () => {
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '-c',
        'vite.electron.config.ts',
        '--mode',
        'worker',
        '--logLevel',
        'warn',
        '--outDir',
        outDir,
      ],
      { cwd: root, stdio: 'pipe' },
    );
    const file = join(outDir, 'import-worker.cjs');
    expect(existsSync(file)).toBe(true);
    // It runs from app.asar.unpacked, where only better-sqlite3 is reachable (electron-builder.config.ts).
    const required = new Set([...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    const packages = [...required].filter((name) => !name.startsWith('node:') && !builtinModules.includes(name));
    expect(packages).toEqual(['better-sqlite3']);
    const { store } = openStore(undefined, { importWorker: { file } });
    const progress: number[] = [];
    const text = `name,phone\n${Array.from({ length: 1200 }, (_, i) => `Gebündelt ${i},030 ${2_000_000 + i}`).join('\n')}\n`;
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text }, (r) =>
      progress.push(r.imported),
    );
    expect(report).toMatchObject({ imported: 1200, failed: 0, done: true });
    expect(progress).toEqual([500, 1000, 1200, 1200]);
    expect(store.lookup.caller('+49 30 2001199').contact?.name).toBe('Gebündelt 1199');
  }, 60_000);
});
