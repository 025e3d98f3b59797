/**
 * `npm run bench [-- [--smoke] suite…]`: runs each benchmark suite (`bench/<suite>.ts`) in its own
 * process, so one suite's heap and event loop never colour another's figures. Each suite prints one
 * JSON object per line, `{"suite","metric","value","unit"}`; this runner passes them through on
 * stdout, holds every suite to its deadline, and ends (on stderr) with a table of metric, value, goal
 * and same-run baseline, the CPU model and the load. Exits non-zero when a suite fails or prints
 * nothing. `--smoke` runs tiny sizes (what `npm test` does).
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runSuiteFile, summaryTable, type Metric } from './_runner.js';
import { SMOKE_EXCLUDED, suiteDeadlineMs } from './_suites.js';

const benchDir = import.meta.dirname;
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith('.ts') && name !== 'run.ts' && !name.startsWith('_'))
  .map((name) => name.slice(0, -3))
  .sort();
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const requested = args.filter((arg) => !arg.startsWith('-'));
const unknown = requested.filter((suite) => !available.includes(suite));
if (unknown.length > 0) {
  console.error(`unknown benchmark suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const loadBefore = loadavg();
const all: Metric[] = [];
const failed: string[] = [];
const chosen = requested.length > 0 ? requested : available.filter((suite) => !(smoke && suite in SMOKE_EXCLUDED));
for (const suite of chosen) {
  const run = await runSuiteFile(join(benchDir, `${suite}.ts`), {
    deadlineMs: suiteDeadlineMs(suite, smoke),
    smoke,
    onMetric: (m) => process.stdout.write(`${JSON.stringify(m)}\n`),
    onChatter: (line) => process.stderr.write(`[${suite}] ${line}\n`),
  });
  all.push(...run.metrics);
  process.stderr.write(
    `benchmark suite ${suite}: ${run.ok ? 'ok' : `FAILED (${run.failure})`} in ${(run.ms / 1000).toFixed(1)} s\n`,
  );
  if (!run.ok) failed.push(suite);
}
process.stderr.write(`\n${summaryTable(all, loadBefore)}\n`);
if (failed.length > 0) process.stderr.write(`failed: ${failed.join(', ')}\n`);
process.exit(failed.length > 0 ? 1 : 0);
