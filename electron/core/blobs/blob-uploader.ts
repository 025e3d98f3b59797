import { open } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import {
  BLOB_CHUNK_BYTES,
  BLOB_ERROR_CODES,
  LEGACY_BLOB_CHUNK_BYTES,
  BlobErrorCode,
  SNIFF_BYTES,
  sniffBlobType,
  type BlobType,
} from '../../../protocol/index.js';
import { SyncRequestError } from '../sync/sync-client.js';
import type { BlobCache } from './blob-cache.js';
import { BlobError } from './blob-error.js';
import type { BlobHttpClient } from './blob-http.js';

export interface QueuedUpload {
  sha256: string;
  tenant: string;
  size: number;
  attempts: number;
  lastError: string | null;
}

export interface BlobUploaderOptions {
  backoff?: { baseMs: number; maxMs: number };
  /** Bytes per request (default BLOB_CHUNK_BYTES); tests that cut an upload use smaller ones. */
  chunkBytes?: number;
  /** Called after every chunk the server took (tests cut the client here). */
  onChunk?: (sha256: string, offset: number, size: number) => void;
  /** Called once per upload with the offset the server said it had: where the upload resumed. */
  onResume?: (sha256: string, offset: number) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const PERMANENT = new Set<string>([BLOB_ERROR_CODES.unsupportedType, BLOB_ERROR_CODES.tooLarge, 'forbidden_tenant']);

/**
 * The outbox of bytes: a document's file is copied into the cache and queued (durably, in SQLite);
 * the queue is worked off while the server is reachable, each upload resuming from the offset the
 * server reports, so a cut (a killed app, a restarted server, a lost network) costs at most a chunk.
 */
export class BlobUploader {
  private running = false;
  private wake: (() => void) | undefined;
  /** Set by enqueue and nudge: work came while a round ran, so the next round starts without waiting. */
  private requested = false;
  private loop: Promise<void> | undefined;
  private chunkBytes: number;

  constructor(
    private readonly db: Database.Database,
    private readonly cache: BlobCache,
    private readonly http: BlobHttpClient,
    private readonly options: BlobUploaderOptions = {},
  ) {
    this.chunkBytes = options.chunkBytes ?? BLOB_CHUNK_BYTES;
  }

  /**
   * Queues a file for `tenant`. Refuses at once (BlobError `unsupported_type`) what is not PDF, JPEG,
   * PNG or TIFF by content, whatever its name says; the server checks the same again.
   */
  async enqueue(file: string, tenant: string): Promise<{ sha256: string; size: number; mime: BlobType }> {
    const handle = await open(file, 'r');
    const head = Buffer.alloc(SNIFF_BYTES);
    try {
      await handle.read(head, 0, SNIFF_BYTES, 0);
    } finally {
      await handle.close();
    }
    const mime = sniffBlobType(head);
    if (!mime) throw new BlobError('unsupported_type', `${file} is not a PDF, JPEG, PNG or TIFF file`);
    const { sha256, size } = await this.cache.addFile(file);
    this.db
      .prepare(
        `INSERT INTO blob_upload (sha256, tenant_id, size, queued_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (sha256) DO NOTHING`,
      )
      .run(sha256, tenant, size, new Date().toISOString());
    this.nudge();
    return { sha256, size, mime };
  }

  pending(): QueuedUpload[] {
    return (
      this.db
        .prepare(
          'SELECT sha256, tenant_id AS tenant, size, attempts, last_error AS lastError FROM blob_upload ORDER BY queued_at, sha256',
        )
        .all() as QueuedUpload[]
    ).filter((u) => !u.lastError?.startsWith('refused:'));
  }

  /**
   * Whether a blob still waits in the queue, and the code the server refused it with, if it did
   * (a refusal for a firm not served reads as `blob_forbidden`).
   */
  state(sha256: string): { uploading: boolean; error: BlobErrorCode | null } {
    const row = this.db.prepare('SELECT last_error AS lastError FROM blob_upload WHERE sha256 = ?').get(sha256) as
      { lastError: string | null } | undefined;
    if (!row) return { uploading: false, error: null };
    if (!row.lastError?.startsWith('refused:')) return { uploading: true, error: null };
    const code = BlobErrorCode.safeParse(row.lastError.slice('refused:'.length));
    return { uploading: true, error: code.success ? code.data : 'blob_forbidden' };
  }

  /** Tries the queue now instead of after the backoff (the server is reachable again). */
  nudge(): void {
    this.requested = true;
    this.wake?.();
  }

  /** Works the queue off in the background until stop(); waits with backoff while the server is away. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Uploads everything queued once; answers how many are still waiting (failed transiently). */
  async drain(): Promise<number> {
    let waiting = 0;
    for (const upload of this.pending()) {
      try {
        await this.upload(upload);
        this.db.prepare('DELETE FROM blob_upload WHERE sha256 = ?').run(upload.sha256);
      } catch (error) {
        const code = error instanceof SyncRequestError ? error.code : 'error';
        if (PERMANENT.has(code)) {
          // Kept, not retried: the UI shows why (documents.errors.<code>) and the user removes it.
          this.db.prepare('UPDATE blob_upload SET last_error = ? WHERE sha256 = ?').run(`refused:${code}`, upload.sha256);
          this.options.log?.('document upload refused', { sha256: upload.sha256, code, reason: (error as Error).message });
          continue;
        }
        this.db
          .prepare('UPDATE blob_upload SET attempts = attempts + 1, last_error = ? WHERE sha256 = ?')
          .run((error as Error).message.slice(0, 200), upload.sha256);
        waiting++;
      }
    }
    return waiting;
  }

  private async run(): Promise<void> {
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    let delay = baseMs;
    while (this.running) {
      this.requested = false;
      const waiting = await this.drain().catch(() => 1);
      if (!this.running) break;
      if (this.requested) continue;
      delay = waiting > 0 ? Math.min(maxMs, delay * 2) : baseMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waiting > 0 ? delay : maxMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async upload(upload: QueuedUpload): Promise<void> {
    let state = await this.http.start({ sha256: upload.sha256, size: upload.size, tenant: upload.tenant });
    if (state.state === 'complete') return;
    this.options.onResume?.(upload.sha256, state.offset);
    const file = this.cache.path(upload.sha256);
    while (state.state === 'partial' && state.offset < upload.size) {
      const offset = state.offset;
      try {
        state = await this.http.putFileChunk(upload.sha256, offset, file, Math.min(this.chunkBytes, upload.size - offset));
      } catch (error) {
        if (!(error instanceof SyncRequestError)) throw error;
        // A server from before streamed chunks takes at most a piece per request.
        if (error.status === 413 && error.code !== BLOB_ERROR_CODES.tooLarge && this.chunkBytes > LEGACY_BLOB_CHUNK_BYTES) {
          this.chunkBytes = LEGACY_BLOB_CHUNK_BYTES;
          this.options.log?.('the server takes smaller document chunks', { bytes: this.chunkBytes });
          continue;
        }
        // Someone else (another of our clients) moved the upload on, or a cut request kept some of
        // its pieces: continue from where the server is.
        if (error.code === BLOB_ERROR_CODES.wrongOffset) {
          state = await this.http.start({ sha256: upload.sha256, size: upload.size, tenant: upload.tenant });
          continue;
        }
        throw error;
      }
      if (state.state === 'partial') this.options.onChunk?.(upload.sha256, state.offset, upload.size);
    }
    if (state.state === 'partial') await this.http.finish(upload.sha256);
  }
}
