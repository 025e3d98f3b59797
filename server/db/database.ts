/**
 * The server's one view of its database, implemented over PostgreSQL (`pg`) and PGlite alike, so
 * the same SQL and the same migrations run on both.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on any throw). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for every NOTIFY on `channel`, and `onReconnect` after a lost listening
   * connection is back (notifications may have been missed meanwhile).
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect: () => void): Promise<void>;
  close(): Promise<void>;
}

/** The database cannot be reached right now; the HTTP layer answers 503 and the client retries. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DatabaseUnavailableError';
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * The database's disk is full (PostgreSQL's disk_full, or the file system's ENOSPC under PGlite):
 * the write is refused whole and can succeed once space is freed, so the caller should retry.
 */
export function isStorageFull(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: unknown } | null;
  if (!e) return false;
  if (e.code === '53100' || e.code === 'ENOSPC') return true;
  return /No space left on device/i.test(e.message ?? '');
}

/**
 * Connection-level failures (refused, reset, admin shutdown, "the database system is starting up")
 * rather than errors in the statement itself.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (typeof e.code === 'string') {
    if (UNAVAILABLE_CODES.has(e.code)) return true;
    // 08xxx connection exceptions, 57P01-57P03 admin shutdown / crash shutdown / cannot connect now
    if (/^08/.test(e.code) || /^57P0[1-3]$/.test(e.code)) return true;
  }
  const message = e.message ?? '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}
