import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { homeLayout } from '../home/layout.js';
import { AdminFailure } from '../pki/office-ca.js';
import { backupSocketPath } from './backup-socket.js';

/** PGlite lives in the server's process: refuse while one answers on the home's socket. */
export function serverRuns(home: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection(backupSocketPath(home));
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * The server's database for an admin command, migrated: PostgreSQL through `database` (also while the
 * server runs), else the home's PGlite image, which a second process must never open while the server
 * has it. `mustExist`: refuse a home whose server never ran instead of creating its database.
 */
export async function openAdminDatabase(home: string, database: string | undefined, mustExist: boolean): Promise<Database> {
  const layout = homeLayout(home);
  if (!database && (await serverRuns(home)))
    throw new AdminFailure(
      `the server on ${home} is running on PGlite: stop it first (a second process must never open its database), ` +
        'or give --database postgres://… for a server on PostgreSQL',
    );
  if (!database && mustExist && !existsSync(layout.dbDir))
    throw new AdminFailure(`${layout.dbDir} does not exist: the server has never run on this home`);
  // Loaded here, not at the top: most admin commands never open a database.
  const db: Database = database
    ? new (await import('../db/pg-database.js')).PgDatabase(database, () => undefined)
    : await (await import('../db/pglite-database.js')).PgliteDatabase.open(layout.dbDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
