/**
 * Store write-shape benchmark (issue 3): how many contacts per second SQLite itself takes with the
 * real schema (every migration, every index, the FTS table) when JavaScript does nothing but bind
 * prepared statements — the ceiling any import pipeline on this schema can reach. Rows look like
 * bench/store.ts's (3 contact fields, 1.5 numbers of 3 fields each), 500 contacts per transaction,
 * `synchronous = NORMAL` and the importer's page cache.
 *
 * Shapes: `per_field` writes what local edits write (one field_version and one outbox row per
 * field); `per_record` one of each per record; `record_entry` what an import writes (one outbox
 * entry per record; the `_v` column it also fills is left out, one column more costs nothing measurable);
 * `no_sync_rows` and `no_fts` leave one part out to show its share.
 * `npx tsx bench/store-write-shape.ts` or `npm run bench -- store-write-shape`; one JSON line per shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { newId } from '../electron/core/store/ids.js';
import { openDatabase } from '../electron/core/store/open.js';
import { emit } from './_metrics.js';

const SUITE = 'store-write-shape';
const CONTACTS = Number(process.env.STORE_SHAPE_CONTACTS ?? 30_000);
const BATCH = 500;

interface Shape {
  versions: 'per_field' | 'per_record' | 'record_entry' | 'none';
  fts: boolean;
}

const SHAPES: Record<string, Shape> = {
  per_field: { versions: 'per_field', fts: true },
  per_record: { versions: 'per_record', fts: true },
  record_entry: { versions: 'record_entry', fts: true },
  no_sync_rows: { versions: 'none', fts: true },
  no_fts: { versions: 'per_field', fts: false },
};

function run(dir: string, shape: Shape): number {
  const { db } = openDatabase(join(dir, `${shape.versions}-${shape.fts}.db`));
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 16384');
  const now = new Date().toISOString();
  const contact = db.prepare(
    'INSERT INTO contact(id, tenant_id, name, company, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const phone = db.prepare(
    "INSERT INTO contact_phone(id, tenant_id, contact_id, kind, number, e164, valid) VALUES (?, 'bench', ?, 'work', ?, ?, 1)",
  );
  const version = db.prepare('INSERT INTO field_version(tbl, id, field, version) VALUES (?, ?, ?, ?)');
  const outbox = db.prepare(
    "INSERT INTO outbox(tbl, record_id, tenant_id, field, value, version) VALUES (?, ?, 'bench', ?, ?, ?)",
  );
  const fts = db.prepare(
    "INSERT INTO contact_fts(rowid, name, company, email, numbers, tenant) VALUES (?, ?, ?, ?, ?, 't62656e6368')",
  );
  let tick = 0;
  // The HLC's shape: 13-digit ms, counter, node id.
  const nextVersion = () => `${String(1_700_000_000_000 + tick++).padStart(13, '0')}-0000-0123456789abcdef`;
  const sync = (table: string, id: string, fields: Record<string, string>) => {
    if (shape.versions === 'record_entry') {
      // What an import writes since migration 006 (the version also goes into the row's _v column).
      outbox.run(table, id, '*', JSON.stringify(fields), nextVersion());
    } else if (shape.versions === 'per_record') {
      const v = nextVersion();
      version.run(table, id, '*', v);
      outbox.run(table, id, '*', JSON.stringify(fields), v);
    } else if (shape.versions === 'per_field') {
      for (const [field, value] of Object.entries(fields)) {
        const v = nextVersion();
        version.run(table, id, field, v);
        outbox.run(table, id, field, JSON.stringify(value), v);
      }
    }
  };
  const batch = db.transaction((first: number) => {
    for (let i = first; i < Math.min(first + BATCH, CONTACTS); i++) {
      const id = newId();
      const fields = { name: `Anna Müller-${i % 977} ${i}`, company: `Elektro ${i % 313}`, email: `anna.${i}@example.org` };
      const rowid = Number(contact.run(id, 'bench', fields.name, fields.company, fields.email, now, now).lastInsertRowid);
      sync('contact', id, fields);
      const digits: string[] = [];
      for (let k = 0; k < (i % 2 === 0 ? 1 : 2); k++) {
        const phoneId = newId();
        const national = `030${String(1_000_000 + 2 * i + k)}`;
        phone.run(phoneId, id, national, `+49${national.slice(1)}`);
        sync('contact_phone', phoneId, { contact_id: id, kind: 'work', number: national });
        digits.push(national, `49${national.slice(1)}`);
      }
      if (shape.fts) fts.run(rowid, `${fields.name} ${fields.name}`, fields.company, fields.email, digits.join(' '));
    }
  });
  const start = performance.now();
  for (let first = 0; first < CONTACTS; first += BATCH) batch(first);
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return CONTACTS / seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-shape-'));
try {
  for (const [name, shape] of Object.entries(SHAPES)) emit(SUITE, `${name}_contacts_per_s`, run(dir, shape), 'contacts/s');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
