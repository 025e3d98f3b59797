import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HostError } from '../../../protocol/index.js';
import type { Logger } from '../log/logger.js';
import { restoreNameIndexes } from './import/name-indexes.js';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenedDatabase {
  db: Db;
  /** Where an unreadable file was moved before a fresh one was created, else null. */
  recoveredFrom: string | null;
}

export interface OpenOptions {
  log?: Logger;
  /** Tests build older schema versions by passing a prefix of MIGRATIONS. */
  migrations?: readonly string[];
  now?: () => Date;
}

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB']);

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPT_CODES.has(code);
}

/**
 * Opens (or creates) a profile database: refuses one written by a newer app version without
 * touching it, moves an unreadable one aside (never deletes it), then WAL, foreign keys, busy
 * timeout and the pending migrations in one transaction.
 */
export function openDatabase(file: string, options: OpenOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  let recoveredFrom: string | null = null;
  let db: Db;
  // SQLite may discard a WAL it cannot use when the connection closes; keep a copy until the file proved readable.
  const walCopy = `${file}-wal.opening`;
  const hasWal = existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0;
  if (hasWal) copyFileSync(`${file}-wal`, walCopy);
  try {
    db = openChecked(file, migrations.length);
    if (hasWal) rmSync(walCopy, { force: true });
  } catch (error) {
    if (!isCorruption(error)) {
      if (hasWal) rmSync(walCopy, { force: true });
      throw error;
    }
    const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    recoveredFrom = `${file}.corrupt-${stamp}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, recoveredFrom + suffix);
    }
    if (hasWal) renameSync(walCopy, `${recoveredFrom}-wal`);
    options.log?.error('database unreadable, moved aside and started fresh', {
      file,
      movedTo: recoveredFrom,
      reason: error instanceof Error ? error.message : String(error),
    });
    db = openChecked(file, migrations.length);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a note the teleworker typed survives a power cut, not only a crash of the app.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations, options.log);
    // An import killed while its name indexes were dropped (import/name-indexes.ts) left them out.
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contact'").get()) restoreNameIndexes(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, recoveredFrom };
}

/** Reads the schema version before anything could write to the file. */
function openChecked(file: string, known: number): Db {
  const db = new Database(file);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > known) {
      throw new HostError(
        'unavailable',
        `database ${file} has schema version ${version}, newer than this app's ${known}; update the app (the file was not changed)`,
      );
    }
    // Reading every page catches a damaged file now rather than in the middle of a call.
    const check = db.pragma('quick_check(1)', { simple: true }) as string;
    if (check !== 'ok') {
      throw Object.assign(new Error(`quick_check: ${check}`), { code: 'SQLITE_CORRUPT' });
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db, migrations: readonly string[], log?: Logger): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from === migrations.length) return;
  db.transaction(() => {
    for (let v = from; v < migrations.length; v++) db.exec(migrations[v]!);
    db.pragma(`user_version = ${migrations.length}`);
  })();
  log?.info('database migrated', { from, to: migrations.length });
}
