/**
 * The mutation check of docs/security.md: applies each mutation of scripts/mutations.ts to the
 * working tree, one at a time, runs the tests that claim to catch it and puts the file back. A
 * mutation the tests do not notice ("survived") is a hole in the tests.
 *
 *   npx tsx scripts/mutation-check.ts --verify     every mutation still applies (no tests run)
 *   npx tsx scripts/mutation-check.ts [id …]       run all, or the named ones
 *   npx tsx scripts/mutation-check.ts --unit       only those whose tests are all unit tests
 *
 * Run it on a tree whose mutated files have no uncommitted changes: it refuses otherwise, because
 * it restores each file from what it read, and a stray edit would be hard to tell from a mutation.
 * Integration tests start Kamailio, rtpengine and the server themselves and need PostgreSQL on
 * 127.0.0.1:5432, as in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MUTATIONS, type Mutation } from './mutations.js';

/** `caught` names the first failing test; a failed suite without a failed test is worth a look. */
type Outcome = { kind: 'caught'; by: string } | { kind: 'survived' | 'stale' | 'suite-error'; by?: string };

interface VitestJson {
  numFailedTests: number;
  testResults: { name: string; message?: string; assertionResults: { status: string; fullName: string }[] }[];
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

function check(mutation: Mutation): string | undefined {
  // A test file that does not exist would make vitest fail and pass the mutation off as caught.
  const missing = [mutation.file, ...mutation.tests].filter((f) => !existsSync(f));
  if (missing.length > 0) return `missing: ${missing.join(', ')}`;
  const count = occurrences(readFileSync(mutation.file, 'utf8'), mutation.from);
  return count === 1 ? undefined : `"from" occurs ${count} times in ${mutation.file}, not once`;
}

let restore: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });
}

function run(mutation: Mutation): Outcome {
  const problem = check(mutation);
  if (problem) return { kind: 'stale', by: problem };
  const original = readFileSync(mutation.file, 'utf8');
  const out = mkdtempSync(join(tmpdir(), 'mutation-'));
  restore = () => writeFileSync(mutation.file, original);
  try {
    writeFileSync(
      mutation.file,
      original.replace(mutation.from, () => mutation.to),
    );
    const report = join(out, 'report.json');
    const result = spawnSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${report}`, ...mutation.tests], {
      stdio: 'ignore',
    });
    if (result.status === 0) return { kind: 'survived' };
    if (!existsSync(report)) return { kind: 'suite-error', by: `vitest exited ${result.status ?? result.signal}` };
    const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
    for (const file of json.testResults) {
      const failed = file.assertionResults.find((a) => a.status === 'failed');
      if (failed) return { kind: 'caught', by: `${file.name.replace(`${process.cwd()}/`, '')} > ${failed.fullName}` };
    }
    const broken = json.testResults.find((f) => f.message);
    return { kind: 'suite-error', by: `${broken?.name ?? '?'}: ${broken?.message?.split('\n')[0] ?? ''}` };
  } finally {
    restore();
    restore = undefined;
    rmSync(out, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const ids = args.filter((a) => !a.startsWith('--'));
const unknown = ids.filter((id) => !MUTATIONS.some((m) => m.id === id));
if (unknown.length > 0) {
  console.error(`unknown mutation ids: ${unknown.join(', ')}`);
  process.exit(2);
}
const selected = MUTATIONS.filter(
  (m) =>
    (ids.length === 0 || ids.includes(m.id)) && (!args.includes('--unit') || m.tests.every((t) => t.startsWith('test/unit/'))),
);

if (args.includes('--verify')) {
  const problems = selected.flatMap((m) => {
    const problem = check(m);
    return problem ? [`${m.id}: ${problem}`] : [];
  });
  for (const p of problems) console.error(p);
  console.log(`${selected.length - problems.length} of ${selected.length} mutations apply`);
  process.exit(problems.length === 0 ? 0 : 1);
}

const files = [...new Set(selected.map((m) => m.file))];
const dirty = spawnSync('git', ['status', '--porcelain', '--', ...files], { encoding: 'utf8' }).stdout.trim();
if (dirty !== '') {
  console.error(`commit or stash these first, the check rewrites them:\n${dirty}`);
  process.exit(2);
}

const failures: string[] = [];
for (const mutation of selected) {
  const started = Date.now();
  const outcome = run(mutation);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`${outcome.kind.padEnd(11)} ${mutation.id.padEnd(30)} ${String(seconds).padStart(4)} s  ${mutation.what}`);
  if (outcome.by) console.log(`${' '.repeat(12)}${outcome.by}`);
  if (outcome.kind !== 'caught') failures.push(`${mutation.id} ${outcome.kind}`);
}
console.log(`\n${selected.length - failures.length} of ${selected.length} mutations caught`);
process.exit(failures.length === 0 ? 0 : 1);
