/**
 * Store write-shape benchmark: how many contacts per second SQLite itself takes with the real schema
 * when JavaScript does nothing but bind prepared statements (bench/_bare-writes.ts), per shape of
 * the sync rows. Rows look like bench/store.ts's (3 contact fields, 1.5 numbers of 3 fields each);
 * `no_sync_rows` and `no_fts` leave one part out to show its share.
 * `npx tsx bench/store-write-shape.ts` or `npm run bench -- store-write-shape`; one JSON line per shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareWrites, type BareContact, type Shape } from './_bare-writes.js';
import { emit, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'store-write-shape';
const CONTACTS = Number(process.env.STORE_SHAPE_CONTACTS ?? size(30_000, 1000));

const SHAPES: Record<string, Shape> = {
  per_field: { versions: 'per_field', fts: true },
  per_record: { versions: 'per_record', fts: true },
  record_entry: { versions: 'record_entry', fts: true },
  no_sync_rows: { versions: 'none', fts: true },
  no_fts: { versions: 'per_field', fts: false },
};

function rows(): BareContact[] {
  return Array.from({ length: CONTACTS }, (_, i) => ({
    name: `Anna Müller-${i % 977} ${i}`,
    company: `Elektro ${i % 313}`,
    email: `anna.${i}@example.org`,
    phones: Array.from({ length: i % 2 === 0 ? 1 : 2 }, (_, k) => {
      const national = `030${String(1_000_000 + 2 * i + k)}`;
      return { kind: 'work', number: national, e164: `+49${national.slice(1)}` };
    }),
  }));
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-shape-'));
  try {
    const contacts = rows();
    for (const [name, shape] of Object.entries(SHAPES)) {
      const rate = await step(`${name} writes`, 120_000, () => bareWrites(join(dir, `${name}.db`), contacts, shape));
      emit(SUITE, `${name}_contacts_per_s`, rate, 'contacts/s');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
