/**
 * Runs one benchmark suite file in a process of its own and collects its metric lines. The suite
 * holds itself to its deadline (`runSuite` in _metrics.ts); this is the backstop for a suite that
 * cannot (a blocked event loop, a clean-up that hangs): after the deadline plus a grace period the
 * suite's whole process group is killed and the suite counts as failed.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GOALS, goalMet, goalText } from './_suites.js';

export interface Metric {
  suite: string;
  metric: string;
  value: number;
  unit: string;
}

export function isMetric(value: unknown): value is Metric {
  const m = value as Partial<Metric> | null;
  return (
    typeof m?.suite === 'string' &&
    typeof m.metric === 'string' &&
    typeof m.value === 'number' &&
    Number.isFinite(m.value) &&
    typeof m.unit === 'string'
  );
}

export interface SuiteRun {
  ok: boolean;
  metrics: Metric[];
  /** Why the suite failed, for the summary. */
  failure?: string;
  ms: number;
}

/** Beyond the suite's own deadline: its abort clean-ups get 10 s, this adds margin for its exit. */
export const RUNNER_GRACE_MS = 20_000;

const tsxDist = join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist');
/**
 * tsx's hooks loaded into the suite's own Node process, without tsx's CLI in between: the CLI relays
 * a signal to its child and kills it (SIGKILL) when the child does not confirm within 30 ms, which a
 * suite busy in a synchronous call (openssl while a PBX home is made) cannot do — its clean-up would
 * never run.
 */
const TSX_ARGS = ['--require', join(tsxDist, 'preflight.cjs'), '--import', pathToFileURL(join(tsxDist, 'loader.mjs')).href];

export async function runSuiteFile(
  file: string,
  options: {
    deadlineMs: number;
    smoke: boolean;
    /** How long past the deadline the backstop waits before it kills the suite's process group. */
    graceMs?: number;
    env?: Record<string, string>;
    onMetric?: (m: Metric) => void;
    onChatter?: (line: string) => void;
  },
): Promise<SuiteRun> {
  const graceMs = options.graceMs ?? RUNNER_GRACE_MS;
  const started = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', ...TSX_ARGS, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      BENCH_SMOKE: options.smoke ? '1' : '0',
      BENCH_DEADLINE_MS: String(options.deadlineMs),
    },
    // Its own process group, so the backstop reaches the suite's browsers and helpers too.
    detached: true,
  });
  const metrics: Metric[] = [];
  const chatter = options.onChatter ?? ((line: string) => process.stderr.write(`${line}\n`));
  const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) onLine(line);
      }
    });
  };
  lines(child.stdout, (line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      if (isMetric(parsed)) {
        metrics.push(parsed);
        options.onMetric?.(parsed);
        return;
      }
    } catch {
      // not a metric line: progress chatter
    }
    chatter(line);
  });
  lines(child.stderr, chatter);
  // The suite has a process group of its own, so a Ctrl-C at the terminal does not reach it: pass
  // the first signal on (once: the runner's own tsx CLI relays it a second time), and the suite
  // cleans up as at its deadline.
  let forwarded = false;
  const forward = (signal: NodeJS.Signals) => {
    if (forwarded) return;
    forwarded = true;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  let killed = false;
  const backstop = setTimeout(() => {
    killed = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, options.deadlineMs + graceMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(backstop);
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  const ms = performance.now() - started;
  if (killed) return { ok: false, metrics, ms, failure: `killed after ${options.deadlineMs + graceMs} ms (deadline + grace)` };
  if (code !== 0) return { ok: false, metrics, ms, failure: `exit ${code}` };
  if (metrics.length === 0) return { ok: false, metrics, ms, failure: 'no metrics printed' };
  return { ok: true, metrics, ms };
}

const fmt = (value: number) =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(3).replace(/\.?0+$/, '');

/** The closing table: metric, value, goal, and the ratio to its same-run baseline where there is one. */
export function summaryTable(metrics: Metric[], loadBefore: number[]): string {
  const byName = new Map(metrics.map((m) => [m.metric, m]));
  const rows = metrics.map((m) => {
    const goal = GOALS[m.metric];
    const baseline = goal?.baseline ? byName.get(goal.baseline) : undefined;
    return [
      `${m.suite}/${m.metric}`,
      `${fmt(m.value)} ${m.unit}`,
      goal ? `${goalText(goal)} ${goalMet(goal, m.value) ? 'met' : 'NOT MET'}` : '',
      baseline ? `vs ${baseline.metric} ${fmt(baseline.value)} ${baseline.unit}` : '',
    ];
  });
  const header = ['metric', 'value', 'goal', 'ratio against'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const cpu = cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores; load average (1/5/15 min) at start ${load(loadBefore)}, at end ${load(loadavg())}`,
  ].join('\n');
}
