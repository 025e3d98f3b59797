import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSuiteFile } from '../../../bench/_runner.js';

// A bench that cannot measure never hangs and prints no figure for what it did not measure: the
// step's own limit, the suite's deadline and, for a suite that cannot even run its timers, the
// runner's backstop each end it in time with a message naming what was running.
const FIXTURE = join(import.meta.dirname, 'fixtures', 'stuck-suite.ts');
const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-deadline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function state(pid: number): 'alive' | 'gone' {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch {
    return 'gone';
  }
}

async function run(mode: string, deadlineMs: number, graceMs?: number) {
  const chatter: string[] = [];
  const started = performance.now();
  const result = await runSuiteFile(FIXTURE, {
    deadlineMs,
    graceMs,
    smoke: true,
    env: { BENCH_FIXTURE_MODE: mode, BENCH_FIXTURE_MARKER: join(dir, `${mode}.marker`) },
    onChatter: (line) => chatter.push(line),
  });
  return { ...result, chatter: chatter.join('\n'), seconds: (performance.now() - started) / 1000 };
}

describe('bench deadlines', () => {
  it('fails a step that never completes within its time limit, naming the step', async () => {
    const result = await run('step', 60_000);
    expect(result.ok).toBe(false);
    expect(result.seconds).toBeLessThan(15);
    expect(result.chatter).toContain('step "wait for a registration that never comes" did not complete within 1500 ms');
    expect(result.metrics.map((m) => m.metric)).toEqual(['measured_before']);
  });

  it('ends a suite at its deadline, runs its abort clean-up and kills the daemons it started', async () => {
    const result = await run('deadline', 2000);
    expect(result.ok).toBe(false);
    expect(result.seconds).toBeLessThan(15);
    expect(result.chatter).toContain('deadline of 2000 ms exceeded in step "wait far longer than the suite may take"');
    expect(existsSync(join(dir, 'deadline.marker'))).toBe(true);
    expect(result.metrics.map((m) => m.metric)).toEqual(['measured_before']);
    const daemon = Number(/daemon (\d+)/.exec(result.chatter)?.[1]);
    expect(daemon).toBeGreaterThan(0);
    await expect.poll(() => state(daemon)).toBe('gone');
  });

  it('kills a suite whose event loop is blocked, with the processes it started', async () => {
    const result = await run('blocked', 1500, 1500);
    expect(result.ok).toBe(false);
    expect(result.failure).toContain('killed after 3000 ms');
    expect(result.seconds).toBeLessThan(15);
    const pid = Number(/child (\d+)/.exec(result.chatter)?.[1]);
    expect(pid).toBeGreaterThan(0);
    await expect.poll(() => state(pid)).toBe('gone');
  });

  it('prints no figure that was not measured', async () => {
    const result = await run('nan', 60_000);
    expect(result.ok).toBe(false);
    expect(result.chatter).toContain('not_measured_ms was not measured');
    expect(result.metrics.map((m) => m.metric)).toEqual(['measured_before']);
  });
});
