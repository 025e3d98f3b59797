import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

/**
 * The embedded default: PGlite under DIR/db. It is one in-process PostgreSQL, so a server using it
 * is a single process; LISTEN/NOTIFY works within that process, which is all it needs.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir: string): Promise<PgliteDatabase> {
    const db = new PGlite(dataDir);
    await db.waitReady;
    return new PgliteDatabase(db);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<{ rows: T[] }> {
    const result = await this.db.query<T>(sql, params);
    return { rows: result.rows };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <R>(sql: string, params: unknown[] = []) => ({ rows: (await tx.query<R>(sql, params)).rows }),
        exec: async (sql: string) => void (await tx.exec(sql)),
      }),
    );
  }

  /**
   * The data directory as a tar image (backups). Taken inside a transaction, so no other
   * transaction and no other statement runs while the files are read: the image is the state
   * between two commits, which PGlite opens again like a cleanly stopped cluster.
   */
  async dumpDataDir(): Promise<Uint8Array> {
    await this.db.exec('CHECKPOINT');
    return this.db.transaction(async () => {
      const image = await this.db.dumpDataDir('none');
      return new Uint8Array(await image.arrayBuffer());
    });
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<void> {
    await this.db.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
