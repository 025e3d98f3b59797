/**
 * Contacts written with nothing but prepared statements into the real schema (every migration,
 * every index, the FTS table), 500 per transaction, `synchronous = NORMAL` and the importer's page
 * cache: the ceiling any import pipeline on this schema can reach. Used by store-write-shape (per
 * shape of the sync rows) and by the store suite as the same-run baseline of its import.
 */
import { performance } from 'node:perf_hooks';
import { newId } from '../electron/core/store/ids.js';
import { openDatabase } from '../electron/core/store/open.js';

export interface BareContact {
  name: string;
  company: string;
  email: string;
  /** National form and E.164, already normalised: the bare writer does no parsing. */
  phones: Array<{ kind: string; number: string; e164: string }>;
}

/**
 * `per_field` writes what local edits write (one field_version and one outbox row per field);
 * `per_record` one of each per record; `record_entry` what an import writes (one outbox entry per
 * record; the `_v` column it also fills is left out, one column more costs nothing measurable);
 * `none` no sync rows.
 */
export interface Shape {
  versions: 'per_field' | 'per_record' | 'record_entry' | 'none';
  fts: boolean;
  /**
   * Drop the two contact name indexes first and build them over the finished table, inside the
   * timing — what any bulk load does, and what a large import does (import/name-indexes.ts).
   */
  deferNameIndexes?: boolean;
}

const NAME_INDEXES = ['contact_by_name', 'contact_by_tenant_name'];

const BATCH = 500;

/** Writes `rows` into a new database at `file`; contacts per second. */
export function bareWrites(file: string, rows: readonly BareContact[], shape: Shape): number {
  const { db } = openDatabase(file);
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 16384');
  const now = new Date().toISOString();
  const contact = db.prepare(
    'INSERT INTO contact(id, tenant_id, name, company, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const phone = db.prepare(
    "INSERT INTO contact_phone(id, tenant_id, contact_id, kind, number, e164, valid) VALUES (?, 'bench', ?, ?, ?, ?, 1)",
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
    for (let i = first; i < Math.min(first + BATCH, rows.length); i++) {
      const row = rows[i]!;
      const id = newId();
      const fields = { name: row.name, company: row.company, email: row.email };
      const rowid = Number(contact.run(id, 'bench', row.name, row.company, row.email, now, now).lastInsertRowid);
      sync('contact', id, fields);
      const digits: string[] = [];
      for (const p of row.phones) {
        const phoneId = newId();
        phone.run(phoneId, id, p.kind, p.number, p.e164);
        sync('contact_phone', phoneId, { contact_id: id, kind: p.kind, number: p.number });
        digits.push(p.number.replace(/\D/g, ''), p.e164.slice(1));
      }
      if (shape.fts) fts.run(rowid, `${row.name} ${row.name}`, row.company, row.email, digits.join(' '));
    }
  });
  const start = performance.now();
  const dropped = shape.deferNameIndexes
    ? (db
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${NAME_INDEXES.map(() => '?').join(', ')})`,
        )
        .all(...NAME_INDEXES) as Array<{ name: string; sql: string }>)
    : [];
  if (shape.deferNameIndexes && dropped.length !== NAME_INDEXES.length) throw new Error('the schema has other name indexes');
  for (const { name } of dropped) db.exec(`DROP INDEX ${name}`);
  for (let first = 0; first < rows.length; first += BATCH) batch(first);
  for (const { sql } of dropped) db.exec(sql);
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return rows.length / seconds;
}
