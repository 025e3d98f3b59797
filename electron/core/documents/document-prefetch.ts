import type { Db } from '../store/open.js';
import type { BlobCache } from '../blobs/blob-cache.js';
import type { Logger } from '../log/logger.js';
import { SyncRequestError } from '../sync/sync-client.js';

export interface DocumentPrefetchOptions {
  db: Db;
  cache: BlobCache;
  /** The cache limit (setting `documentCacheBytes`): prefetching never pushes older files out. */
  limitBytes: () => number;
  /** Only the craftsman's app prefetches; the office opens documents on demand. */
  enabled: () => boolean;
  log?: Logger;
  /** First retry delay while the bytes are not on the server yet (the record came before its upload). */
  retryMs?: number;
  maxAttempts?: number;
}

interface Wanted {
  sha256: string;
  size: number;
  attempts: number;
}

/**
 * Downloads the bytes of documents that a pull brought, so the craftsman opens his letters without
 * waiting, also offline later. Bounded by the cache limit: what would not fit waits to be opened.
 * A record may arrive before its bytes (the upload runs beside the record sync): retried with backoff.
 */
export class DocumentPrefetcher {
  private readonly wanted = new Map<string, Wanted>();
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** A blob became available while a round ran: go again at once. */
  private again = false;

  constructor(private readonly options: DocumentPrefetchOptions) {}

  /** Document records that changed by a pull. */
  pulled(ids: readonly string[]): void {
    if (this.stopped || ids.length === 0 || !this.options.enabled()) return;
    const rows = this.options.db
      .prepare(
        `SELECT blob_sha256 AS sha256, size FROM document
          WHERE id IN (SELECT value FROM json_each(?)) AND _deleted = 0 AND blob_sha256 IS NOT NULL`,
      )
      .all(JSON.stringify(ids)) as { sha256: string; size: number | null }[];
    for (const row of rows) {
      if (this.wanted.has(row.sha256) || this.options.cache.has(row.sha256)) continue;
      this.wanted.set(row.sha256, { sha256: row.sha256, size: Number(row.size ?? 0), attempts: 0 });
    }
    this.kick();
  }

  /** The server has a blob's bytes now: a document waiting for them is fetched at once, not at its next retry. */
  stored(sha256: string): void {
    if (this.stopped || !this.wanted.has(sha256)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.again = true;
    this.kick();
  }

  /** Resolves when nothing is left to fetch now (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wanted.clear();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.again = false;
    this.running = this.work().finally(() => {
      this.running = undefined;
      // Records pulled (or blobs stored) while this round ran are not in its snapshot.
      if (this.again || [...this.wanted.values()].some((w) => w.attempts === 0)) this.kick();
    });
  }

  private async work(): Promise<void> {
    const retryMs = this.options.retryMs ?? 100;
    const maxAttempts = this.options.maxAttempts ?? 20;
    let soonest: number | undefined;
    for (const item of [...this.wanted.values()]) {
      if (this.stopped) return;
      if (this.options.cache.has(item.sha256)) {
        this.wanted.delete(item.sha256);
        continue;
      }
      if (this.options.cache.usedBytes() + item.size > this.options.limitBytes()) {
        this.wanted.delete(item.sha256);
        this.options.log?.info('document not prefetched: the cache is full', { sha256: item.sha256, size: item.size });
        continue;
      }
      try {
        await this.options.cache.open(item.sha256);
        this.wanted.delete(item.sha256);
      } catch (error) {
        item.attempts++;
        const code = error instanceof SyncRequestError ? error.code : 'error';
        const waitable = code === 'blob_not_found' || code === 'network' || (error as SyncRequestError).status === undefined;
        if (!waitable || item.attempts >= maxAttempts) {
          this.wanted.delete(item.sha256);
          this.options.log?.warn('document prefetch gave up', { sha256: item.sha256, code, reason: (error as Error).message });
          continue;
        }
        const delay = Math.min(30_000, retryMs * 1.5 ** (item.attempts - 1));
        soonest = Math.min(soonest ?? delay, delay);
      }
    }
    if (soonest !== undefined && !this.stopped) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.kick(), soonest);
      this.timer.unref?.();
    }
  }
}
