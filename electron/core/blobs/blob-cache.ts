import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Database from 'better-sqlite3';
import { BlobHash, DEFAULT_BLOB_CACHE_BYTES } from '../../../protocol/index.js';
import { BlobError } from './blob-error.js';
import type { BlobHttpClient } from './blob-http.js';

/**
 * The local copies of documents, one file per hash under `dir`, bounded by a size limit (setting,
 * default 2 GB): when over it, the least recently used go first. Files still waiting to be uploaded
 * (in `blob_upload`) are never evicted. Every file here hashed to its name when it was written.
 */
export class BlobCache {
  constructor(
    private readonly db: Database.Database,
    readonly dir: string,
    private readonly http: BlobHttpClient | undefined,
    private readonly limitBytes: () => number = () => DEFAULT_BLOB_CACHE_BYTES,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
  }

  path(sha256: string): string {
    BlobHash.parse(sha256);
    return join(this.dir, sha256);
  }

  has(sha256: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM blob_cache WHERE sha256 = ?').get(sha256) !== undefined && existsSync(this.path(sha256))
    );
  }

  /** Bytes held in the cache. */
  usedBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(size), 0) AS n FROM blob_cache').get() as { n: number }).n;
  }

  /** Copies a local file in while hashing it (streamed): answers its hash and size. */
  async addFile(source: string): Promise<{ sha256: string; size: number }> {
    return this.ingest(createReadStream(source));
  }

  /**
   * The local path of a document's bytes: from the cache (marked as just used), else downloaded on
   * demand and kept only when it hashes to its name (BlobError `integrity` otherwise).
   */
  async open(sha256: string): Promise<string> {
    if (this.has(sha256)) {
      this.db.prepare('UPDATE blob_cache SET last_used = ? WHERE sha256 = ?').run(this.now(), sha256);
      return this.path(sha256);
    }
    if (!this.http) throw new Error('this cache cannot download');
    const body = await this.http.download(sha256);
    const got = await this.ingest(body);
    if (got.sha256 !== sha256) {
      this.remove(got.sha256);
      throw new BlobError('integrity', `downloaded bytes hash to ${got.sha256}, not ${sha256}`);
    }
    return this.path(sha256);
  }

  /** Drops least recently used files (never ones waiting for upload) until the cache fits its limit. */
  evict(keep?: string): string[] {
    const limit = this.limitBytes();
    let used = this.usedBytes();
    const gone: string[] = [];
    if (used <= limit) return gone;
    const candidates = this.db
      .prepare(
        `SELECT sha256, size FROM blob_cache
          WHERE sha256 NOT IN (SELECT sha256 FROM blob_upload) AND sha256 IS NOT ?
          ORDER BY last_used, sha256`,
      )
      .all(keep ?? null) as { sha256: string; size: number }[];
    for (const c of candidates) {
      if (used <= limit) break;
      this.remove(c.sha256);
      used -= c.size;
      gone.push(c.sha256);
    }
    return gone;
  }

  remove(sha256: string): void {
    rmSync(this.path(sha256), { force: true });
    this.db.prepare('DELETE FROM blob_cache WHERE sha256 = ?').run(sha256);
  }

  /** Writes a stream to a temporary file while hashing, then moves it under its hash. */
  private async ingest(source: Readable): Promise<{ sha256: string; size: number }> {
    const tmp = join(this.dir, 'tmp', randomBytes(8).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, createWriteStream(tmp));
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    renameSync(tmp, this.path(sha256));
    this.db
      .prepare(
        'INSERT INTO blob_cache (sha256, size, last_used) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET last_used = excluded.last_used',
      )
      .run(sha256, size, this.now());
    this.evict(sha256);
    return { sha256, size };
  }
}
