import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { DatabaseUnavailableError } from '../../../server/db/database.js';
import { PgDatabase } from '../../../server/db/pg-database.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';

// A server whose PostgreSQL connection dies while a transaction waits between two statements (a
// restart, a failover, an operator's pg_terminate_backend) must fail that transaction, not crash.
describe('PgDatabase', () => {
  it('turns a connection killed between two statements of a transaction into a refusal, not a crash', async () => {
    const db = await freshDatabase();
    const logged: string[] = [];
    const database = new PgDatabase(db.url, (message) => logged.push(message));
    const admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      const attempt = database.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // Let the termination notice arrive while no statement runs on this connection.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query('SELECT 1');
      });
      await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(logged).toContain('database connection lost during a transaction');
      expect((await database.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await database.close();
      await db.drop();
    }
  });
});
