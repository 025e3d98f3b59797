import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The library preloaded into a Kamailio whose tls module shares OpenSSL 3's per-thread state across
 * its forked workers (openssl-fork-guard.c says why). The server package ships it built, next to its
 * bundle; a source checkout builds it once with the C compiler into node_modules/.cache.
 */
export const FORK_GUARD_LIBRARY = 'openssl-fork-guard.so';
const SOURCE = 'openssl-fork-guard.c';

/** Kamailio 5.8 brought `tls_threads_mode`, which initialises OpenSSL outside the main thread. */
export function needsForkGuard(version: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 5 || (major === 5 && minor < 8);
}

/** "5.6.3" from `kamailio -v` ("version: kamailio 5.6.3 (x86_64/linux)"); undefined if it does not run. */
export function kamailioVersion(binary = 'kamailio'): string | undefined {
  try {
    const out = execFileSync(binary, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version: kamailio (\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

export class ForkGuardBuildError extends Error {
  constructor(detail: string) {
    super(
      `Kamailio before 5.8 needs ${FORK_GUARD_LIBRARY} against OpenSSL 3, and it could not be built ` +
        `(install gcc, or run a Kamailio with tls_threads_mode): ${detail}`,
    );
    this.name = 'ForkGuardBuildError';
  }
}

/**
 * Compiles the guard into `cacheDir` under a name keyed by its source, so a changed source builds
 * anew and parallel callers never load a half-written file (each writes its own and renames).
 */
export function buildForkGuard(sourceFile: string, cacheDir: string, compiler = 'cc'): string {
  const source = readFileSync(sourceFile);
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const library = join(cacheDir, `openssl-fork-guard-${key}.so`);
  if (existsSync(library)) return library;
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${library}.${process.pid}.partial`;
  try {
    execFileSync(compiler, ['-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', partial, sourceFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    renameSync(partial, library);
  } catch (error) {
    rmSync(partial, { force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new ForkGuardBuildError(stderr || (error as Error).message);
  }
  return library;
}

/**
 * The guard for this Kamailio, or undefined when it needs none: the one shipped beside this module
 * (the server package), else one built from the source beside it.
 */
export function forkGuardFor(version: string | undefined, here = import.meta.dirname): string | undefined {
  if (version !== undefined && !needsForkGuard(version)) return undefined;
  const shipped = join(here, FORK_GUARD_LIBRARY);
  if (existsSync(shipped)) return shipped;
  return buildForkGuard(join(here, SOURCE), resolve(here, '..', 'node_modules', '.cache', 'vermittlung'));
}

/** The environment to start the Kamailio `binary` in: the guard preloaded when its version needs one. */
export function environmentForKamailio(binary = 'kamailio', base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return kamailioEnvironment(forkGuardFor(kamailioVersion(binary)), base);
}

/** `base` with the guard preloaded first. */
export function kamailioEnvironment(guard: string | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!guard) return { ...base };
  const preload = base.LD_PRELOAD?.trim();
  return { ...base, LD_PRELOAD: preload ? `${guard} ${preload}` : guard };
}
