import { statSync } from 'node:fs';
import type { ImportRequest } from '../../../../protocol/index.js';
import type Database from 'better-sqlite3';

type Db = Database.Database;

/**
 * The contact name indexes of migration 001. Rows reach them in random order (names are not
 * sorted), which cost an import ~17 µs of its writer's ~60 µs per contact; built once over the
 * finished table they cost ~3–4. So a large import into a table smaller than itself drops them
 * and builds them again when it ends, however it ends. A crash in between leaves them missing,
 * so every open of the database (`restoreNameIndexes` in open.ts) and the main thread after a
 * failed import worker build them again: no state outlives the import without them.
 */
const NAME_INDEXES = [
  'CREATE INDEX IF NOT EXISTS contact_by_name ON contact(_deleted, name COLLATE NOCASE)',
  'CREATE INDEX IF NOT EXISTS contact_by_tenant_name ON contact(tenant_id, _deleted, name COLLATE NOCASE)',
];

/** Below this size (about 10,000 CSV rows) an import keeps the indexes: rebuilding gains nothing. */
const MIN_DEFER_BYTES = 1024 * 1024;
/** A rough lower bound of the bytes per imported row, to compare the import with the table. */
const BYTES_PER_ROW = 100;

/** Builds the name indexes where they are missing (a no-op when they are there). */
export function restoreNameIndexes(db: Db): void {
  for (const sql of NAME_INDEXES) db.exec(sql);
}

function sourceBytes(request: Pick<ImportRequest, 'text' | 'path'>): number {
  if (request.text !== undefined) return request.text.length;
  try {
    return request.path === undefined ? 0 : statSync(request.path).size;
  } catch {
    return 0; // a missing file is reported by the parser
  }
}

/**
 * Drops the name indexes when the import is large and the table small next to it; returns whether
 * it did, and the caller must then `restoreNameIndexes` when the import ends.
 */
export function deferNameIndexes(db: Db, request: Pick<ImportRequest, 'text' | 'path'>): boolean {
  const bytes = sourceBytes(request);
  if (bytes < MIN_DEFER_BYTES) return false;
  const existing = db.prepare('SELECT count(*) FROM contact').pluck().get() as number;
  if (existing * BYTES_PER_ROW > bytes) return false;
  db.exec('DROP INDEX IF EXISTS contact_by_name; DROP INDEX IF EXISTS contact_by_tenant_name');
  return true;
}
