import { createHash, type Hash } from 'node:crypto';
import {
  BLOB_CHUNK_BYTES,
  BLOB_ERROR_CODES,
  BLOB_PIECE_BYTES,
  SNIFF_BYTES,
  sniffBlobType,
  type BlobUploadState,
} from '../../protocol/index.js';
import type { Database, Queryable } from '../db/database.js';
import { SyncHttpError } from '../sync/errors.js';
import { DatabaseBlobBytes, type BlobBytes } from './blob-bytes.js';

/** NOTIFY channel of stored blobs (payload `{"sha256","tenant"}`): every server process tells its live clients. */
export const BLOB_NOTIFY_CHANNEL = 'vermittlung_blob';

/** Uploads hashed on the way at most at once (each costs a few hundred bytes). */
const MAX_RUNNING = 256;

const wrongOffset = (received: number) =>
  new SyncHttpError(409, BLOB_ERROR_CODES.wrongOffset, `the server has ${received} bytes; send from there`, String(received));

/** Serialises uploads of one hash: the offset check and the chunk insert are one step. */
const lockKey = (sha256: string) => Number.parseInt(sha256.slice(0, 8), 16) | 0;

/**
 * The server's blobs: an upload row while a file is incomplete, a blob row once the whole file hashed
 * to its name, in the database; the bytes in the database too or in a directory (`BlobBytes`). Who
 * may do what is decided before (blob-access.ts); this module only keeps the bytes consistent.
 */
export class BlobStore {
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  constructor(
    private readonly db: Database,
    /** The largest file accepted, in bytes (server setting). */
    readonly maxBytes: number,
    readonly bytes: BlobBytes = new DatabaseBlobBytes(db),
  ) {}

  /** Starts or resumes an upload; a known hash is answered `complete` at once (stored once). */
  async start(sha256: string, size: number, tenant: string, user: string): Promise<BlobUploadState> {
    if (size > this.maxBytes) {
      throw new SyncHttpError(413, BLOB_ERROR_CODES.tooLarge, `a document may be at most ${this.maxBytes} bytes`);
    }
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey(sha256)]);
      const known = await this.complete(tx, sha256);
      if (known) return known;
      const { rows } = await tx.query<{ size: string; received: string }>(
        'SELECT size::text, received::text FROM blob_upload WHERE sha256 = $1',
        [sha256],
      );
      const upload = rows[0];
      if (upload && Number(upload.size) === size) {
        return { state: 'partial', sha256, size, offset: Number(upload.received) };
      }
      // A different size under the same hash cannot both be right: begin again with this claim.
      if (upload) await this.bytes.drop(tx, sha256);
      await tx.query(
        `INSERT INTO blob_upload (sha256, size, tenant, started_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256) DO UPDATE SET size = $2, received = 0, mime = NULL, tenant = $3, started_by = $4, updated_at = now()`,
        [sha256, size, tenant, user],
      );
      return { state: 'partial', sha256, size, offset: 0 };
    });
  }

  /** The tenant an unfinished upload was started for (authorisation of its chunks), if any. */
  async uploadTenant(sha256: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ tenant: string }>('SELECT tenant FROM blob_upload WHERE sha256 = $1', [sha256]);
    return rows[0]?.tenant;
  }

  /**
   * Stores the `length` bytes of one upload request arriving at `offset` (exactly what the server has
   * so far), piece by piece as they arrive: each piece commits with the upload's offset, so a request
   * cut in the middle keeps the pieces that made it. While one piece is stored the next one is read,
   * so the network and the database work at the same time; at most two pieces are held.
   */
  async receive(sha256: string, offset: number, length: number, body: AsyncIterable<Buffer>): Promise<BlobUploadState> {
    if (!Number.isSafeInteger(length) || length < 1 || length > BLOB_CHUNK_BYTES) {
      throw new SyncHttpError(400, 'invalid_chunk', `a chunk has 1 to ${BLOB_CHUNK_BYTES} bytes`);
    }
    // Answered before a byte is read: a finished blob or a wrong offset costs no transfer.
    const before = await this.peek(sha256);
    if (before.state === 'complete') return before;
    if (offset !== before.offset) throw wrongOffset(before.offset);
    if (offset + length > before.size) throw new SyncHttpError(400, 'invalid_chunk', 'the chunk runs past the announced size');

    const buffers = [
      Buffer.allocUnsafe(Math.min(BLOB_PIECE_BYTES, length)),
      Buffer.allocUnsafe(Math.min(BLOB_PIECE_BYTES, length)),
    ];
    let storing: Promise<BlobUploadState> | undefined;
    let state = before as BlobUploadState;
    let piece = 0;
    let filled = 0;
    let received = 0;
    /** Stores a piece once the one before it committed (the offset check needs it); false when the blob is complete. */
    let storeFailed = false;
    const settle = async (): Promise<void> => {
      try {
        if (storing) state = await storing;
      } catch (error) {
        storeFailed = true;
        throw error;
      }
    };
    const store = async (data: Buffer, at: number): Promise<boolean> => {
      await settle();
      if (state.state === 'complete') return false;
      storing = this.putChunk(sha256, at, data);
      storing.catch(() => undefined); // awaited at the next piece or the end; not unhandled meanwhile
      return true;
    };
    try {
      for await (const chunk of body) {
        if (received + chunk.length > length) throw new SyncHttpError(400, 'invalid_chunk', 'the body is longer than announced');
        for (let used = 0; used < chunk.length;) {
          const buffer = buffers[piece % 2]!;
          const take = Math.min(chunk.length - used, buffer.length - filled);
          chunk.copy(buffer, filled, used, used + take);
          [filled, used, received] = [filled + take, used + take, received + take];
          if (filled === buffer.length || received === length) {
            if (!(await store(buffer.subarray(0, filled), offset + piece * BLOB_PIECE_BYTES))) return state;
            [piece, filled] = [piece + 1, 0];
          }
        }
      }
      await settle();
    } catch (error) {
      // A cut request: the piece being stored still commits (or fails) before the next request comes.
      await storing?.catch(() => undefined);
      if (storeFailed || error instanceof SyncHttpError) throw error;
      // The client went away mid-body: nobody hears the answer, and it is no fault of the server's.
      throw new SyncHttpError(400, 'invalid_chunk', `the chunk broke off after ${received} of ${length} bytes`);
    }
    if (received !== length) throw new SyncHttpError(400, 'invalid_chunk', `the body ended after ${received} of ${length} bytes`);
    return state;
  }

  /** Stores one piece at `offset`, which must be exactly what the server has so far. */
  async putChunk(sha256: string, offset: number, data: Buffer): Promise<BlobUploadState> {
    if (data.length === 0 || data.length > BLOB_PIECE_BYTES) {
      throw new SyncHttpError(400, 'invalid_chunk', `a piece has 1 to ${BLOB_PIECE_BYTES} bytes`);
    }
    const state = await this.db.transaction(async (tx): Promise<BlobUploadState | 'unsupported'> => {
      // A piece and its offset commit together; losing the newest few in a crash only makes the
      // client send them again, so the commit need not wait for the disk.
      await tx.query("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock($1)", [lockKey(sha256)]);
      const current = await this.peek(tx, sha256);
      if (current.state === 'complete') return current;
      const { size, offset: received } = current;
      if (offset !== received) throw wrongOffset(received);
      if (offset + data.length > size) throw new SyncHttpError(400, 'invalid_chunk', 'the chunk runs past the announced size');
      let mime: string | undefined;
      if (offset === 0) {
        if (data.length < Math.min(SNIFF_BYTES, size)) {
          throw new SyncHttpError(400, 'invalid_chunk', `the first chunk must carry at least ${SNIFF_BYTES} bytes`);
        }
        mime = sniffBlobType(data);
        // Refused for good: the upload row goes with the answer (a throw here would roll that back).
        if (!mime) {
          await tx.query('DELETE FROM blob_upload WHERE sha256 = $1', [sha256]);
          return 'unsupported' as const;
        }
      }
      await this.bytes.put(tx, sha256, offset, data);
      await tx.query('UPDATE blob_upload SET received = $2, mime = COALESCE($3, mime), updated_at = now() WHERE sha256 = $1', [
        sha256,
        offset + data.length,
        mime ?? null,
      ]);
      return { state: 'partial', sha256, size, offset: offset + data.length };
    });
    if (state !== 'unsupported' && state.state === 'partial') this.track(sha256, offset, data);
    if (state === 'unsupported') {
      throw new SyncHttpError(
        415,
        BLOB_ERROR_CODES.unsupportedType,
        'only PDF, JPEG, PNG and TIFF files are accepted (checked by content, not by name)',
      );
    }
    return state;
  }

  /**
   * Verifies the whole upload against its name, reading it back chunk by chunk; only then is it a
   * blob. A mismatch discards the upload (400 hash_mismatch): the client sends it again.
   */
  async finish(sha256: string): Promise<BlobUploadState> {
    const known = await this.complete(this.db, sha256);
    if (known) return known;
    const { rows } = await this.db.query<{ size: string; received: string; mime: string | null; tenant: string }>(
      'SELECT size::text, received::text, mime, tenant FROM blob_upload WHERE sha256 = $1',
      [sha256],
    );
    const upload = rows[0];
    if (!upload) throw new SyncHttpError(404, 'no_upload', 'no upload of this hash is under way; start it first');
    const size = Number(upload.size);
    if (Number(upload.received) !== size) {
      throw new SyncHttpError(
        409,
        BLOB_ERROR_CODES.wrongOffset,
        `the server has ${upload.received} of ${size} bytes`,
        upload.received,
      );
    }
    const running = this.running.get(sha256);
    this.running.delete(sha256);
    let digest: string;
    let total = 0;
    if (running && running.offset === size) {
      [digest, total] = [running.hash.digest('hex'), running.offset];
    } else {
      // Chunks this process did not all see (a restart, another server): read them back.
      const hash = createHash('sha256');
      for await (const chunk of this.chunks(sha256)) {
        hash.update(chunk);
        total += chunk.length;
      }
      digest = hash.digest('hex');
    }
    const verified = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey(sha256)]);
      await tx.query('DELETE FROM blob_upload WHERE sha256 = $1', [sha256]);
      if (digest !== sha256 || total !== size || !upload.mime) {
        await this.bytes.drop(tx, sha256);
        return undefined;
      }
      await this.bytes.seal(tx, sha256);
      await tx.query('INSERT INTO blob (sha256, size, mime) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        sha256,
        size,
        upload.mime,
      ]);
      // Delivered at commit: a record that named the blob before it was whole can be fetched now.
      await tx.query('SELECT pg_notify($1, $2)', [BLOB_NOTIFY_CHANNEL, JSON.stringify({ sha256, tenant: upload.tenant })]);
      return { state: 'complete', sha256, size } as const;
    });
    if (!verified) {
      throw new SyncHttpError(
        400,
        BLOB_ERROR_CODES.hashMismatch,
        `the ${total} bytes received hash to ${digest}, not to their name`,
      );
    }
    return verified;
  }

  /** A verified blob's size and type, or undefined. */
  async stat(sha256: string): Promise<{ size: number; mime: string } | undefined> {
    const { rows } = await this.db.query<{ size: string; mime: string }>('SELECT size::text, mime FROM blob WHERE sha256 = $1', [
      sha256,
    ]);
    return rows[0] && { size: Number(rows[0].size), mime: rows[0].mime };
  }

  /** The stored bytes in order, at most one chunk in memory at a time. */
  chunks(sha256: string): AsyncGenerator<Buffer> {
    return this.bytes.read(sha256);
  }

  /**
   * Hashes a committed chunk on the way, so that finishing an upload this process saw whole need not
   * read it back: every stored byte was hashed, in order, once. Any gap drops the running hash.
   */
  private track(sha256: string, offset: number, data: Buffer): void {
    let running = this.running.get(sha256);
    if (offset === 0) this.running.set(sha256, (running = { hash: createHash('sha256'), offset: 0 }));
    if (!running || running.offset !== offset) return void this.running.delete(sha256);
    running.hash.update(data);
    running.offset += data.length;
    // Abandoned uploads must not pile up: the oldest running hash goes (its finish reads back).
    if (this.running.size > MAX_RUNNING) this.running.delete(this.running.keys().next().value!);
  }

  /** The blob if it is complete, else the upload's state, in one query (404 `no_upload` without one). */
  private async peek(q: Queryable | string, sha?: string): Promise<BlobUploadState> {
    const [db, sha256] = typeof q === 'string' ? [this.db, q] : [q, sha!];
    const { rows } = await db.query<{ blob: string | null; size: string | null; received: string | null }>(
      `SELECT (SELECT size::text FROM blob WHERE sha256 = $1) AS blob,
              u.size::text AS size, u.received::text AS received
         FROM (SELECT 1) AS one LEFT JOIN blob_upload u ON u.sha256 = $1`,
      [sha256],
    );
    const row = rows[0]!;
    if (row.blob !== null) return { state: 'complete', sha256, size: Number(row.blob) };
    if (row.size === null) throw new SyncHttpError(404, 'no_upload', 'no upload of this hash is under way; start it first');
    return { state: 'partial', sha256, size: Number(row.size), offset: Number(row.received) };
  }

  private async complete(q: Queryable, sha256: string): Promise<BlobUploadState | undefined> {
    const { rows } = await q.query<{ size: string }>('SELECT size::text FROM blob WHERE sha256 = $1', [sha256]);
    return rows[0] && { state: 'complete', sha256, size: Number(rows[0].size) };
  }
}
