import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '../db/database.js';
import { FileDirectoryStore, type DirectoryStore } from '../directory/directory-store.js';
import { PgDirectoryStore, databaseHoldsDirectory } from '../directory/pg-directory-store.js';
import { homeLayout } from '../home/layout.js';
import { AdminFailure, OfficeCa } from '../pki/office-ca.js';
import { openAdminDatabase } from './admin-database.js';

/** The suffix `directory migrate` gives the home's retired files; nothing reads them any more. */
export const MIGRATED_SUFFIX = '.migrated-to-postgres';

/** `--database` of the commands that change the directory (user …, tenant add/set, calendar, ca crl). */
export const DATABASE_OPTION = { database: { type: 'string' } } as const;

/** Checked where the option is parsed, so a typo is a usage error (exit 2), not a failed connection. */
export function checkDatabaseUrl(database: unknown, usage: (message: string) => Error): string | undefined {
  if (database === undefined) return undefined;
  if (typeof database !== 'string' || !/^postgres(ql)?:\/\//.test(database)) throw usage('--database must be a postgres:// URL');
  return database;
}

/** Where the directory of this home and database is: PostgreSQL's tables once they hold it, else the home's file. */
export async function directoryStoreFor(home: string, db: Database): Promise<DirectoryStore> {
  if (db.kind === 'postgres' && (await databaseHoldsDirectory(db))) return new PgDirectoryStore(db);
  return new FileDirectoryStore(homeLayout(home));
}

/**
 * The CA of `home` with the directory it writes: the home's directory.json, or with `database` the
 * directory in PostgreSQL, which must hold one already (`directory migrate`): writing a user into an
 * empty database while the servers still read the home's file would make her invisible to them.
 */
export async function withOfficeCa<T>(home: string, database: string | undefined, run: (ca: OfficeCa) => Promise<T>): Promise<T> {
  const dir = resolve(home);
  if (!database) {
    const ca = new OfficeCa(dir);
    // Writing a fresh directory.json here would edit a copy no server reads.
    if (existsSync(`${ca.layout.directory}${MIGRATED_SUFFIX}`) && !existsSync(ca.layout.directory))
      throw new AdminFailure(`the directory of ${dir} lives in PostgreSQL (\`directory migrate\`): give --database postgres://…`);
    return run(ca);
  }
  const db = await openAdminDatabase(dir, database, false);
  try {
    if (!(await databaseHoldsDirectory(db)))
      throw new AdminFailure(
        `the database holds no directory yet: move the home's into it first with \`directory migrate --home ${dir} --database …\``,
      );
    return await run(new OfficeCa(dir, new PgDirectoryStore(db)));
  } finally {
    await db.close();
  }
}
