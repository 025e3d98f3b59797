import { PgDatabase } from '../db/pg-database.js';
import { readDirectory, type ServiceSettings } from '../home/directory.js';
import { homeLayout } from '../home/layout.js';
import { databaseHoldsDirectory, PgDirectoryStore } from './pg-directory-store.js';

/**
 * The home's service settings (PBX, server and calendar URLs): PostgreSQL's once `database` holds the
 * directory — `directory migrate` renames the home's file — else directory.json's. Throws when the
 * file cannot be read.
 */
export async function readServiceSettings(home: string, database?: string): Promise<ServiceSettings | undefined> {
  if (database) {
    const db = new PgDatabase(database, () => undefined);
    try {
      // Before the first migration the table does not exist: then the directory is the home's file.
      const holds = await databaseHoldsDirectory(db).catch(() => false);
      if (holds) return (await new PgDirectoryStore(db).read()).service;
    } finally {
      await db.close();
    }
  }
  return readDirectory(homeLayout(home).directory).service;
}
