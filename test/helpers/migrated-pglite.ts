import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../server/db/migrations.js';
import { PgliteDatabase } from '../../server/db/pglite-database.js';

/**
 * A migrated PGlite database in a temporary folder for the tests of one file or describe block: opened
 * before them, closed and removed after. `pglite.db` is the open database.
 */
export function migratedPglite(prefix: string): { readonly db: PgliteDatabase } {
  let dir: string | undefined;
  let db: PgliteDatabase | undefined;
  // A fresh PGlite runs initdb first: ten seconds and more on a busy machine.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    db = await PgliteDatabase.open(dir);
    await migrate(db);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get db() {
      if (!db) throw new Error('the PGlite database is used outside its tests');
      return db;
    },
  };
}
