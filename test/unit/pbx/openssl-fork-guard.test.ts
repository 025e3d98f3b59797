import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildForkGuard,
  FORK_GUARD_LIBRARY,
  ForkGuardBuildError,
  forkGuardFor,
  kamailioEnvironment,
  needsForkGuard,
} from '../../../pbx/openssl-fork-guard.js';

const SOURCE = resolve(import.meta.dirname, '../../../pbx/openssl-fork-guard.c');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fork-guard-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('needsForkGuard', () => {
  it('preloads the guard before Kamailio 5.8 and for a version it cannot read', () => {
    expect(needsForkGuard('5.6.3')).toBe(true);
    expect(needsForkGuard('5.7.6')).toBe(true);
    expect(needsForkGuard('4.4.7')).toBe(true);
    expect(needsForkGuard('garbage')).toBe(true);
    expect(needsForkGuard('5.8.0')).toBe(false);
    expect(needsForkGuard('6.0.1')).toBe(false);
  });
});

describe('buildForkGuard', () => {
  it('compiles a shared library once per source and reuses it', () => {
    const cache = tempDir();
    const library = buildForkGuard(SOURCE, cache);
    expect(library.startsWith(join(cache, 'openssl-fork-guard-'))).toBe(true);
    const built = statSync(library).mtimeMs;
    expect(buildForkGuard(SOURCE, cache)).toBe(library);
    expect(statSync(library).mtimeMs).toBe(built);

    const changed = join(tempDir(), 'openssl-fork-guard.c');
    copyFileSync(SOURCE, changed);
    writeFileSync(changed, '/* another revision */\n', { flag: 'a' });
    expect(buildForkGuard(changed, cache)).not.toBe(library);
  });

  it('names the missing compiler and leaves no partial file', () => {
    const cache = tempDir();
    expect(() => buildForkGuard(SOURCE, cache, 'no-such-cc')).toThrow(ForkGuardBuildError);
    expect(() => buildForkGuard(SOURCE, cache, 'no-such-cc')).toThrow(/install gcc/);
    const broken = join(tempDir(), 'broken.c');
    writeFileSync(broken, 'this is not C');
    expect(() => buildForkGuard(broken, cache)).toThrow(/broken\.c/);
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe('forkGuardFor', () => {
  it('takes the library shipped beside it, builds from the source otherwise, and none for 5.8', () => {
    const packaged = tempDir();
    writeFileSync(join(packaged, FORK_GUARD_LIBRARY), 'shipped');
    expect(forkGuardFor('5.6.3', packaged)).toBe(join(packaged, FORK_GUARD_LIBRARY));
    expect(forkGuardFor('5.8.1', packaged)).toBeUndefined();

    const checkout = join(tempDir(), 'pbx');
    mkdirSync(checkout);
    copyFileSync(SOURCE, join(checkout, 'openssl-fork-guard.c'));
    const built = forkGuardFor(undefined, checkout)!;
    expect(built.startsWith(resolve(checkout, '..', 'node_modules', '.cache', 'vermittlung'))).toBe(true);
    expect(existsSync(built)).toBe(true);
  });
});

describe('kamailioEnvironment', () => {
  it('preloads the guard first and keeps what else was preloaded', () => {
    expect(kamailioEnvironment('/g.so', { PATH: '/bin' })).toEqual({ PATH: '/bin', LD_PRELOAD: '/g.so' });
    expect(kamailioEnvironment('/g.so', { LD_PRELOAD: '/other.so' }).LD_PRELOAD).toBe('/g.so /other.so');
    expect(kamailioEnvironment(undefined, { PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });
});
