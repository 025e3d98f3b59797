import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** How many of the slowest files the closing lines name: the ones that decide whether CI stays in its budget. */
const SLOWEST_SHOWN = 15;

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, for CI to read, preceded by the slowest
 * test files; every file's duration goes to `test-results/durations.json` so a slow newcomer is seen the day it lands.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const durations: { file: string; project: string; seconds: number }[] = [];
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // A suite that failed in a hook or at import has no failed test of its own: count it once.
      failed += failedHere > 0 ? failedHere : module.state() === 'failed' ? 1 : 0;
      durations.push({
        file: relative(process.cwd(), module.moduleId),
        project: module.project.name,
        seconds: Math.round(module.diagnostic().duration) / 1000,
      });
    }
    durations.sort((a, b) => b.seconds - a.seconds);
    try {
      mkdirSync('test-results', { recursive: true });
      writeFileSync('test-results/durations.json', `${JSON.stringify(durations, null, 1)}\n`);
    } catch {
      // A read-only checkout still gets the closing lines below.
    }
    const total = durations.reduce((sum, d) => sum + d.seconds, 0);
    process.stdout.write(`\nslowest test files (of ${Math.round(total)} s in all files):\n`);
    for (const d of durations.slice(0, SLOWEST_SHOWN)) {
      process.stdout.write(`  ${d.seconds.toFixed(1).padStart(7)} s  ${d.file}\n`);
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
