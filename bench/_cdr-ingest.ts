/**
 * The report suite's `cdr_ingest_per_s`: how fast the server takes in the PBX's call detail records
 * from the files db_flatstore writes (the PGlite case; docs/billing.md). CDR_FILES files of lines
 * exactly as Kamailio writes them are read by the server's CdrFileIngester into a migrated PGlite
 * database; the same-run baseline inserts the same records, already parsed, with the same statement,
 * without reading files or keeping offsets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgliteDatabase } from '../server/db/pglite-database.js';
import { parseCdrLine, type CdrRecord } from '../server/metering/cdr-file.js';
import { CdrFileIngester } from '../server/metering/cdr-ingest.js';
import { insertCdrs } from '../server/metering/cdr-store.js';
import { emit, onAbort, size, step } from './_metrics.js';

const CDRS = size(50_000, 2000);
// One file per Kamailio process that ends dialogs.
const CDR_FILES = 4;
const T0 = Date.UTC(2026, 10, 2, 8) / 1000;

function cdrLine(i: number): string {
  const invite = T0 + i * 7;
  const answer = invite + 3 + (i % 11);
  const end = answer + 20 + (i % 400);
  return [
    invite,
    end,
    (end - invite).toFixed(6),
    `${i.toString(36)}-${(i * 7919).toString(36)}@127.0.0.1`,
    i % 10 === 0 ? 'out' : 'in',
    i % 3 === 0 ? '+49407654321' : '+49301234567',
    i % 3 === 0 ? 'schmidt' : 'mueller',
    `+49176${String(1_000_000 + (i % 900_000)).padStart(7, '0')}`,
    `user${i % 20}`,
    `${invite}.${String((i * 137) % 1_000_000).padStart(6, '0')}`,
    `${answer}.250000`,
    `${end}.750000`,
    i % 50 === 0 ? 'closed' : '',
  ].join('|');
}

/** Ingests CDRS records from files into `db` (whose pbx_cdr it empties afterwards) and emits the rates. */
export async function cdrIngest(db: PgliteDatabase, suite: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-cdr-'));
  const removeDir = onAbort(() => rmSync(dir, { recursive: true, force: true }));
  const cdrDir = join(dir, 'cdr');
  const lines = Array.from({ length: CDRS }, (_, i) => cdrLine(i));
  await step('write CDR files', 30_000, () => {
    mkdirSync(cdrDir, { recursive: true });
    for (let f = 0; f < CDR_FILES; f++) {
      const mine = lines.filter((_, i) => i % CDR_FILES === f);
      writeFileSync(join(cdrDir, `pbx_cdr_${f + 1}.log`), `${mine.join('\n')}\n`);
    }
  });

  const ingester = new CdrFileIngester(db, cdrDir, () => undefined);
  const ingestMs = await step('ingest the CDR files', 120_000, async () => {
    const started = performance.now();
    const stored = await ingester.ingest();
    if (stored !== CDRS) throw new Error(`ingested ${stored} CDRs, expected ${CDRS}`);
    return performance.now() - started;
  });

  const records: CdrRecord[] = lines.map((l) => parseCdrLine(l)!);
  await db.query('TRUNCATE pbx_cdr');
  const bareMs = await step('bare insert of the same CDRs', 120_000, async () => {
    const started = performance.now();
    await db.transaction(async (tx) => {
      for (let i = 0; i < records.length; i += 5000) await insertCdrs(tx, records.slice(i, i + 5000));
    });
    return performance.now() - started;
  });
  await db.query('TRUNCATE pbx_cdr');

  const ingestPerS = CDRS / (ingestMs / 1000);
  const barePerS = CDRS / (bareMs / 1000);
  emit(suite, 'cdr_ingest_per_s', ingestPerS, 'CDR/s');
  emit(suite, 'cdr_bare_insert_per_s', barePerS, 'CDR/s');
  emit(suite, 'cdr_ingest_vs_bare_ratio', ingestPerS / barePerS, 'ratio');
  removeDir();
  rmSync(dir, { recursive: true, force: true });
}
