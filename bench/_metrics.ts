import { readdirSync, readFileSync } from 'node:fs';

/**
 * Shared by the benchmark suites: one JSON line per metric, percentiles, the smoke switch, and the
 * deadlines that keep a suite from hanging.
 *
 * A suite runs its work as named steps (`step`), each with its own time limit, inside `runSuite`,
 * which also holds the suite to an overall deadline. A step that does not complete in time fails the
 * suite with a message naming it; nothing measured after that point is printed, and `emit` refuses a
 * value that is not a finite number — a bench that cannot measure prints no figure rather than a
 * wrong one.
 */

/** `BENCH_SMOKE=1` (`npm run bench -- --smoke`, and `npm test`): tiny sizes, every step still runs. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** The full size, or the smoke size in smoke mode. */
export const size = (full: number, smoke: number): number => (SMOKE ? smoke : full);

export function emit(suite: string, metric: string, value: number, unit: string): void {
  if (!Number.isFinite(value)) throw new Error(`${suite}: ${metric} was not measured (${value}); nothing printed`);
  process.stdout.write(`${JSON.stringify({ suite, metric, value: Math.round(value * 1000) / 1000, unit })}\n`);
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export class StepTimeout extends Error {}

let current = 'start-up';
let failedIn: string | undefined;
const aborts: Array<() => Promise<void> | void> = [];

/** Runs `fn` as the step `name`; rejects with a StepTimeout naming the step after `timeoutMs`. */
export async function step<T>(name: string, timeoutMs: number, fn: () => Promise<T> | T): Promise<T> {
  const outer = current;
  current = name;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(fn),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StepTimeout(`step "${name}" did not complete within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    failedIn ??= name;
    throw error;
  } finally {
    clearTimeout(timer);
    current = outer;
  }
}

/**
 * Registers clean-up for the case the suite's deadline strikes while a step still runs (daemons in
 * their own process groups would otherwise outlive the suite); returns the unregister function.
 */
export function onAbort(fn: () => Promise<void> | void): () => void {
  aborts.push(fn);
  return () => {
    const index = aborts.indexOf(fn);
    if (index >= 0) aborts.splice(index, 1);
  };
}

/**
 * The last act of a suite: every process this suite started directly, and its process group (the
 * PBX daemons and the browsers run in groups of their own), is killed by id — also those a step
 * that never finished had started but not yet handed to a clean-up.
 */
function killOwnChildren(): void {
  for (const pid of childPids()) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or already gone
      }
    }
  }
}

/** The processes whose parent is this one, from /proc (field 4 of `stat`, after the parenthesised name). */
function childPids(): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** How long the abort clean-ups may take before the suite exits anyway. */
const ABORT_GRACE_MS = 10_000;

/**
 * Runs a suite's `main` under an overall deadline. A failure or the deadline ends the process with
 * exit code 1 and a message naming the step that was running; the deadline does not wait for the
 * step (it may never settle), only, briefly, for the registered abort clean-ups.
 */
export async function runSuite(suite: string, deadlineMs: number, main: () => Promise<void>): Promise<void> {
  let aborting = false;
  const abort = (why: string) => {
    if (aborting) return;
    aborting = true;
    process.stderr.write(`${suite}: ${why} in step "${current}"\n`);
    // Others hear Ctrl-C too (Playwright closes its browsers and exits with 130): the suite exits
    // once its own clean-up is done, whoever asks first.
    const exit = process.exit.bind(process);
    process.exit = (() => undefined) as unknown as typeof process.exit;
    const end = () => {
      killOwnChildren();
      exit(1);
    };
    setTimeout(end, ABORT_GRACE_MS);
    void Promise.allSettled(aborts.splice(0).map(async (fn) => fn())).then(end);
  };
  const deadline = setTimeout(() => abort(`deadline of ${deadlineMs} ms exceeded`), deadlineMs);
  // Ctrl-C in `npm run bench` reaches the suite through the runner: clean up as at the deadline. Not
  // `once`: tsx relays the signal again, and a second one without a listener would end the suite
  // before its clean-up (the grace period still bounds it).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => abort(`${signal} received`));
  try {
    await main();
  } catch (error) {
    if (aborting) return;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${suite}: failed in step "${failedIn ?? current}": ${message}\n`);
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
  }
  // An abort exits once its clean-ups are done; the step they ended must not cut them short.
  if (aborting) return;
  // Anything left open (a page, a socket, a pool) must not keep the suite alive past its figures,
  // and no daemon a failed step started before any clean-up knew of it may outlive the suite.
  killOwnChildren();
  process.exit(process.exitCode ?? 0);
}
