import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mirroredFiles } from '../../pbx/directory-mirror.js';
import { PgDatabase } from '../../server/db/pg-database.js';
import { databaseHoldsDirectory } from '../../server/directory/pg-directory-store.js';
import type { HomeLayout } from '../../server/home/layout.js';

/**
 * Where the packaged PBX reads the directory and the CRL: the home's files, or — once the database of
 * VERMITTLUNG_DATABASE holds the directory (`directory migrate`) — HOME/pbx/'s copies of PostgreSQL's,
 * which the kamailio unit's main process keeps current (pbx/directory-mirror.ts). The unit's
 * ExecStartPre decides and records it in HOME/pbx/run/, so the path unit's reloads, which have no
 * database connection, read the same files.
 */
export type DirectorySource = 'home' | 'postgres';

function markerFile(layout: HomeLayout): string {
  return join(layout.pbxDir, 'run', 'directory-source');
}

/** The layout whose `directory` and `crl` are the ones Kamailio renders from. */
export function layoutFor(layout: HomeLayout, source: DirectorySource): HomeLayout {
  return source === 'postgres' ? { ...layout, ...mirroredFiles(layout) } : layout;
}

/**
 * PostgreSQL when `database` holds the directory. A database that cannot be asked (PostgreSQL down)
 * leaves the home's file in charge only while the home still has one; otherwise the unit fails and
 * systemd starts it again, rather than serve an empty directory.
 */
export async function chooseSource(layout: HomeLayout, database: string | undefined): Promise<DirectorySource> {
  if (!database) return 'home';
  const db = new PgDatabase(database, () => undefined);
  try {
    return (await databaseHoldsDirectory(db)) ? 'postgres' : 'home';
  } catch (error) {
    // Before the server's first start the directory's tables do not exist yet (undefined_table).
    if ((error as { code?: string }).code === '42P01') return 'home';
    if (existsSync(layout.directory)) return 'home';
    throw new Error(`cannot ask ${redact(database)} whether it holds the directory: ${(error as Error).message}`);
  } finally {
    await db.close();
  }
}

export function recordSource(layout: HomeLayout, source: DirectorySource): void {
  mkdirSync(dirname(markerFile(layout)), { recursive: true });
  writeFileSync(markerFile(layout), `${source}\n`, { mode: 0o640 });
}

/** What the last ExecStartPre chose; the home's files when it never ran. */
export function recordedSource(layout: HomeLayout): DirectorySource {
  try {
    return readFileSync(markerFile(layout), 'utf8').trim() === 'postgres' ? 'postgres' : 'home';
  } catch {
    return 'home';
  }
}

/** The URL without its password, for the journal. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the database';
  }
}
