import pg from 'pg';
import type { Database, Queryable } from './database.js';
import { DatabaseUnavailableError, isUnavailable } from './database.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * PostgreSQL over a pool. A separate long-lived client LISTENs; when it drops (PostgreSQL restart)
 * it reconnects with backoff and reports the reconnect, so live clients are nudged to catch up.
 */
export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /** One long-lived client per LISTENed channel (the sync feed, the directory). */
  private readonly listeners = new Set<pg.Client>();
  private closed = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly url: string,
    private readonly log: Log,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 3000, idleTimeoutMillis: 10_000 });
    // An idle client dying with the server must not crash the process; the next query reconnects.
    this.pool.on('error', (error) => this.log('idle database client failed', { reason: error.message }));
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<{ rows: T[] }> {
    try {
      const result = await this.pool.query(sql, params);
      return { rows: result.rows as T[] };
    } catch (error) {
      throw isUnavailable(error) ? new DatabaseUnavailableError(error) : error;
    }
  }

  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new DatabaseUnavailableError(error);
    }
    let broken = false;
    // A checked-out client has no pool listener: the server dying between two statements would
    // otherwise surface as an uncaught 'error' event and take the whole process down.
    const onError = (error: Error): void => {
      broken = true;
      this.log('database connection lost during a transaction', { reason: error.message });
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        query: async <R>(sql: string, params: unknown[] = []) => ({ rows: (await client.query(sql, params)).rows as R[] }),
        exec: async (sql: string) => void (await client.query(sql)),
      };
      const value = await fn(tx);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      if (isUnavailable(error)) {
        broken = true;
        throw new DatabaseUnavailableError(error);
      }
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void, onReconnect: () => void): Promise<void> {
    const connect = async (first: boolean): Promise<void> => {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000 });
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      client.on('error', (error) => {
        this.log('listening connection lost', { reason: error.message });
        retry();
      });
      client.on('end', () => retry());
      const retry = (): void => {
        if (this.closed || !this.listeners.delete(client)) return;
        client.removeAllListeners('end');
        client.end().catch(() => undefined);
        this.later(() => void connect(false).catch(() => retryLater()), 500);
      };
      const retryLater = (): void => {
        if (!this.closed) this.later(() => void connect(false).catch(() => retryLater()), 1000);
      };
      this.listeners.add(client);
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        this.listeners.delete(client);
        await client.end().catch(() => undefined);
        if (first) throw error;
        throw error;
      }
      if (!first) {
        this.log('listening connection restored', { channel });
        onReconnect();
      }
    };
    await connect(true);
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      fn();
    }, ms);
    this.retryTimers.add(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    const listeners = [...this.listeners];
    this.listeners.clear();
    await Promise.all(listeners.map((listener) => listener.end().catch(() => undefined)));
    await this.pool.end();
  }
}
