/**
 * Store benchmark: 100,000 contacts with about 150,000 numbers, imported from a generated CSV
 * through the real import path; the same rows written again by bare prepared statements as the
 * same-run baseline (`import_vs_bare_writes_ratio`); then caller lookup, search as you type and FTS
 * vs LIKE.
 * `npx tsx bench/store.ts` or `npm run bench -- store`; one JSON line per metric.
 *
 * The import runs in the worker the app ships: `import-worker.cjs`, built from the current sources
 * by `vite.electron.config.ts --mode worker` at the start of the run. Loaded from TypeScript, each of
 * the two import threads would compile its modules through tsx's loader hooks, which run on threads
 * of their own and took ~12 % of the two cores while the import ran (docs/store.md, "Benchmark").
 * `STORE_BENCH_WORKER=source` measures that path instead.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { importContacts } from '../electron/core/store/import/importer.js';
import { preparedBatches } from '../electron/core/store/import/source.js';
import { defaultWorkerEntry, type WorkerEntry } from '../electron/core/store/import/worker-host.js';
import { PhoneNormaliser } from '../electron/core/store/phone-normaliser.js';
import { LocalStore } from '../electron/core/store/store.js';
import { bareWrites, type BareContact } from './_bare-writes.js';
import { emit, percentile, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'store';
const CONTACTS = Number(process.env.STORE_BENCH_CONTACTS ?? size(100_000, 2000));
const ROOT = join(import.meta.dirname, '..');
const GIVEN = [
  'Anna',
  'Jürgen',
  'Zoë',
  'Hans',
  'Sabine',
  'Peter',
  'Ülrike',
  'Jörg',
  'René',
  'Fritz',
  'Klara',
  'Mehmet',
  'Olga',
  'Lukas',
  'Marie',
  'Ömer',
];
const FAMILY = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weiß',
  'Groß',
  'Bäcker',
  'Öztürk',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Schäfer',
  'Koch',
  'Straßer',
  'Krüger',
  'Zimmermann',
];
const TRADE = ['Schreinerei', 'Elektro', 'Sanitär', 'Dachdecker', 'Malerbetrieb', 'Glaserei', 'Bäckerei', 'Autohaus'];

let seed = 42;
/**
 * A 32-bit LCG in integer arithmetic (the product of a float seed and 1,103,515,245 loses its low
 * bits, which made every contact "Anna Müller"); the high bits are the random ones.
 */
function rand(n: number): number {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return (seed >>> 16) % n;
}
const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;
const syllables = ['ka', 'lo', 'mi', 'ber', 'an', 'ste', 'rud', 'wen', 'gol', 'hei', 'tor', 'sa'];
const word = () => pick(syllables) + pick(syllables) + pick(syllables);
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function generate(file: string): Promise<string[]> {
  const out = createWriteStream(file);
  const numbers: string[] = [];
  out.write('name,company,email,phone,mobile\n');
  for (let i = 0; i < CONTACTS; i++) {
    const given = pick(GIVEN);
    const family = `${pick(FAMILY)}${rand(3) === 0 ? '' : `-${word()}`}`;
    const phone = `030 ${String(1_000_000 + i).padStart(7, '0')}`;
    const mobile = rand(100) < 50 ? `0171 ${String(2_000_000 + i).padStart(7, '0')}` : '';
    if (i % 10 === 0) numbers.push(phone);
    const row = [`${given} ${family}`, `${pick(TRADE)} ${word()}`, `${given.toLowerCase()}.${i}@example.org`, phone, mobile];
    if (!out.write(row.map(csvCell).join(',') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return numbers;
}

/** Typed the way callers' numbers arrive from the PBX or are pasted by the user. */
function formats(national: string): string[] {
  const digits = national.replace(/\D/g, '').slice(1);
  return [
    `+49${digits}`,
    `+49 ${digits.slice(0, 2)} ${digits.slice(2)}`,
    `0${digits}`,
    `0049${digits}`,
    `0${digits.slice(0, 2)}/${digits.slice(2, 5)} ${digits.slice(5)}`,
  ];
}

const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Builds the shipped import worker into `outDir`, which lies inside the repository so the bundle's
 * require('better-sqlite3') finds node_modules as it does next to main.cjs.
 */
function buildImportWorker(outDir: string): WorkerEntry {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = ['build', '-c', 'vite.electron.config.ts', '--mode', 'worker', '--logLevel', 'warn', '--outDir', outDir];
  execFileSync(process.execPath, [vite, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return { file: join(outDir, 'import-worker.cjs') };
}

/** The rows the import stored, read back in the bare writer's shape (outside any timing). */
function storedRows(store: LocalStore): BareContact[] {
  const phones = new Map<string, BareContact['phones']>();
  for (const p of store.db.prepare('SELECT contact_id, kind, number, e164 FROM contact_phone').all() as Array<{
    contact_id: string;
    kind: string;
    number: string;
    e164: string | null;
  }>) {
    const list = phones.get(p.contact_id) ?? [];
    list.push({ kind: p.kind, number: p.number, e164: p.e164 ?? p.number });
    phones.set(p.contact_id, list);
  }
  return (
    store.db.prepare('SELECT id, name, company, email FROM contact').all() as Array<{
      id: string;
      name: string;
      company: string | null;
      email: string | null;
    }>
  ).map((c) => ({ name: c.name, company: c.company ?? '', email: c.email ?? '', phones: phones.get(c.id) ?? [] }));
}

/**
 * The import's two stages one after the other in this thread, CPU µs per contact: reading and
 * preparing the file (CSV, names folded, numbers normalised: the parser thread's work) and writing
 * the prepared batches with the import's own writer (the writer thread's work: rows, outbox entries,
 * search index, name indexes rebuilt at the end). Against the bare writes and the import's wall
 * time they show where the import's time goes (docs/store.md, "Benchmark").
 */
async function importStages(csv: string, dbFile: string): Promise<void> {
  const request = { tenant: 'bench', format: 'csv', csvProfile: 'generic', path: csv } as const;
  const batches = [];
  let start = process.cpuUsage();
  for await (const batch of preparedBatches(request, new PhoneNormaliser('DE'), 500)) batches.push(batch);
  emit(SUITE, 'import_stage_prepare_cpu_us_per_contact', cpuMicros(process.cpuUsage(start)) / CONTACTS, 'µs');
  const store = LocalStore.open(dbFile);
  const iterator = batches[Symbol.iterator]();
  try {
    start = process.cpuUsage();
    const report = await importContacts(store.writer, store.phones, request, {
      batches: { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(iterator.next()) }) },
    });
    if (report.imported !== CONTACTS) throw new Error(`the writer stage stored ${report.imported} of ${CONTACTS}`);
    emit(SUITE, 'import_stage_write_cpu_us_per_contact', cpuMicros(process.cpuUsage(start)) / CONTACTS, 'µs');
  } finally {
    store.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-store-'));
  const workerDir = join(ROOT, 'dist', `bench-import-worker-${process.pid}`);
  try {
    const fromSource = process.env.STORE_BENCH_WORKER === 'source';
    const importWorker = await step('build the import worker', 120_000, () =>
      fromSource ? defaultWorkerEntry() : buildImportWorker(workerDir),
    );
    const csv = join(dir, 'contacts.csv');
    const numbers = await step('generate the CSV', 60_000, () => generate(csv));
    const dbFile = join(dir, 'vermittlung.db');
    const store = LocalStore.open(dbFile, { importWorker });

    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const report = await step('import', 300_000, () =>
      store.import({ tenant: 'bench', format: 'csv', csvProfile: 'generic', path: csv }),
    );
    const importCpu = cpuMicros(process.cpuUsage(cpuStart));
    const seconds = (performance.now() - start) / 1000;
    delay.disable();
    if (report.imported !== CONTACTS)
      throw new Error(`imported ${report.imported} of ${CONTACTS}: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const importRate = CONTACTS / seconds;
    emit(SUITE, 'import_contacts_per_s', importRate, 'contacts/s');
    emit(SUITE, 'import_event_loop_max_delay_ms', delay.max / 1e6, 'ms');
    const phoneCount = store.db.prepare('SELECT count(*) FROM contact_phone').pluck().get() as number;
    const via = fromSource ? 'import-worker.ts via tsx' : 'the bundled import-worker.cjs';
    process.stderr.write(
      `store bench: ${CONTACTS} contacts, ${phoneCount} numbers imported in ${seconds.toFixed(1)} s by ${via}\n`,
    );

    // The same-run baseline: the rows the import stored, written again with bare prepared statements
    // in the import's shape (store-write-shape's record_entry case) into a fresh database.
    const rows = storedRows(store);
    // The import defers the name indexes for a file of 1 MiB or more; so does the baseline then.
    const deferNameIndexes = statSync(csv).size >= 1024 * 1024;
    const bareCpuStart = process.cpuUsage();
    const bareRate = await step('bare writes of the same rows', 120_000, () =>
      bareWrites(join(dir, 'bare.db'), rows, { versions: 'record_entry', fts: true, deferNameIndexes }),
    );
    const bareCpu = cpuMicros(process.cpuUsage(bareCpuStart));
    emit(SUITE, 'bare_record_entry_contacts_per_s', bareRate, 'contacts/s');
    emit(SUITE, 'import_vs_bare_writes_ratio', importRate / bareRate, 'ratio');
    // CPU time of all threads: on a machine busy with other work a process gets CPU per runnable
    // thread, so the two-threaded import outruns the one-threaded baseline by wall time; CPU time
    // per contact compares the work itself.
    emit(SUITE, 'import_cpu_us_per_contact', importCpu / CONTACTS, 'µs');
    emit(SUITE, 'bare_writes_cpu_us_per_contact', bareCpu / CONTACTS, 'µs');
    emit(SUITE, 'import_vs_bare_writes_cpu_ratio', bareCpu / importCpu, 'ratio');
    await step('where the import time goes', 300_000, () => importStages(csv, join(dir, 'stages.db')));

    const lookups = await step('caller lookups', 60_000, () => {
      const lookups: number[] = [];
      let found = 0;
      for (const national of numbers) {
        for (const format of formats(national)) {
          const start = performance.now();
          const hit = store.lookup.caller(format);
          lookups.push(performance.now() - start);
          if (hit.contact) found++;
        }
      }
      if (found !== lookups.length) throw new Error(`lookup found ${found} of ${lookups.length}`);
      return lookups;
    });
    emit(SUITE, 'lookup_p99_ms', percentile(lookups, 0.99), 'ms');

    const queries: string[] = [];
    for (let i = 0; i < 40; i++) {
      const name = pick([...GIVEN, ...FAMILY, ...TRADE]);
      queries.push(name.slice(0, 1 + (i % 3)), name, name.toLowerCase().normalize('NFD').replace(/\p{M}/gu, ''));
    }
    queries.push('mueller', 'weiss', 'strasser', 'schmidt kalo', '030 10', '0171 2000');
    await step('search', 60_000, () => {
      const ftsTimes = queries.map((q) => time(() => store.writer.search.search(q, undefined, 20)));
      const ftsTenant = queries.map((q) => time(() => store.writer.search.search(q, 'bench', 20)));
      emit(SUITE, 'search_p95_ms', percentile([...ftsTimes, ...ftsTenant], 0.95), 'ms');
      const sample = queries.filter((_, i) => i % 4 === 0);
      const fts = sample.reduce((sum, q) => sum + time(() => store.writer.search.search(q, undefined, 20)), 0);
      const like = sample.reduce((sum, q) => sum + time(() => store.writer.search.searchLike(q, 20)), 0);
      emit(SUITE, 'search_fts_vs_like_ratio', like / fts, 'x');
    });

    // Exporting everything must not freeze the main process either (it answers a call's lookup).
    const exportDelay = monitorEventLoopDelay({ resolution: 1 });
    exportDelay.enable();
    const exportStart = performance.now();
    const exported = await step('export', 120_000, () => store.exportVcard({}));
    const exportMs = performance.now() - exportStart;
    exportDelay.disable();
    if (exported.count !== CONTACTS) throw new Error(`exported ${exported.count} of ${CONTACTS}`);
    emit(SUITE, 'export_all_ms', exportMs, 'ms');
    emit(SUITE, 'export_event_loop_max_delay_ms', exportDelay.max / 1e6, 'ms');

    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    emit(SUITE, 'db_bytes_per_contact', statSync(dbFile).size / CONTACTS, 'bytes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(workerDir, { recursive: true, force: true });
  }
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), main);
