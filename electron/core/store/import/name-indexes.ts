import { statSync } from 'node:fs';
import type { ImportRequest } from '../../../../protocol/index.js';
import type Database from 'better-sqlite3';

type Db = Database.Database;

/**
 * The contact name indexes. Rows reach them in random order (names are not sorted), which makes
 * them a large part of an import's writer time; built once over the finished table they cost a fraction
 * of that (figures in docs/store.md). So a large import into a table smaller than itself drops them and builds them again when it
 * ends, however it ends. Their definitions are not repeated here: the drop saves each one's SQL
 * from sqlite_master in `meta` in the same transaction, and the restore runs that SQL, so an index
 * a later migration redefines comes back as defined. A crash in between leaves them missing, so
 * every open of the database (`restoreNameIndexes` in open.ts) and the main thread after a failed
 * import worker build them again: no state outlives the import without them.
 */
const NAME_INDEXES = ['contact_by_name', 'contact_by_tenant_name'];
const DEFERRED_KEY = 'deferred_name_indexes';

/** Below this size (about 10,000 CSV rows) an import keeps the indexes: rebuilding gains nothing. */
const MIN_DEFER_BYTES = 1024 * 1024;
/** A rough lower bound of the bytes per imported row, to compare the import with the table. */
const BYTES_PER_ROW = 100;

/** Builds the name indexes a deferring import dropped (a no-op when none was). */
export function restoreNameIndexes(db: Db): void {
  const saved = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(DEFERRED_KEY) as string | undefined;
  if (saved === undefined) return;
  // IMMEDIATE (here and in the drop): a read that turns into a write gets no busy wait, and another
  // connection may be writing (the main thread's, while the import worker restores).
  db.transaction(() => {
    for (const { name, sql } of JSON.parse(saved) as { name: string; sql: string }[]) {
      // A migration that ran since (an app update after a crash) may have made it anew already.
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name)) db.exec(sql);
    }
    db.prepare('DELETE FROM meta WHERE key = ?').run(DEFERRED_KEY);
  }).immediate();
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
  db.transaction(() => {
    const list = NAME_INDEXES.map((name) => `'${name}'`).join(', ');
    const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${list})`).all() as {
      name: string;
      sql: string;
    }[];
    // An earlier import's drop not restored yet (it would be at the next open): keep what it saved.
    const earlier = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(DEFERRED_KEY) as string | undefined;
    const saved = [...(earlier ? (JSON.parse(earlier) as typeof indexes) : []), ...indexes];
    db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run(DEFERRED_KEY, JSON.stringify(saved));
    for (const { name } of indexes) db.exec(`DROP INDEX ${name}`);
  }).immediate();
  return true;
}
