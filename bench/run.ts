/**
 * `npm run bench [-- suite…]`: runs each benchmark suite (`bench/<suite>.ts`) in its own process,
 * so one suite's heap and event loop never colour another's figures. Each suite prints one JSON
 * object per line, `{"suite","metric","value","unit"}`; this runner passes them through, checks
 * their shape, and exits non-zero when a suite fails or prints nothing.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = import.meta.dirname;
const tsx = join(benchDir, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith('.ts') && name !== 'run.ts' && !name.startsWith('_'))
  .map((name) => name.slice(0, -3))
  .sort();
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = requested.filter((suite) => !available.includes(suite));
if (unknown.length > 0) {
  console.error(`unknown benchmark suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

interface Metric {
  suite: string;
  metric: string;
  value: number;
  unit: string;
}

function isMetric(value: unknown): value is Metric {
  const m = value as Partial<Metric> | null;
  return (
    typeof m?.suite === 'string' && typeof m.metric === 'string' && typeof m.value === 'number' && typeof m.unit === 'string'
  );
}

async function runSuite(suite: string): Promise<boolean> {
  const child = spawn(process.execPath, ['--expose-gc', tsx, join(benchDir, `${suite}.ts`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let printed = 0;
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (isMetric(parsed)) {
          printed++;
          process.stdout.write(`${JSON.stringify(parsed)}\n`);
          continue;
        }
      } catch {
        // not a metric line: progress chatter goes to stderr
      }
      process.stderr.write(`[${suite}] ${line}\n`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || printed === 0) {
    process.stderr.write(`benchmark suite ${suite} failed (exit ${code}, ${printed} metrics)\n`);
    return false;
  }
  return true;
}

let ok = true;
for (const suite of requested.length > 0 ? requested : available) ok = (await runSuite(suite)) && ok;
process.exit(ok ? 0 : 1);
