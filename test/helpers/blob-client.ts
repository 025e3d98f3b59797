import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BlobCache } from '../../electron/core/blobs/blob-cache.js';
import { BlobHttpClient } from '../../electron/core/blobs/blob-http.js';
import { BlobUploader, type BlobUploaderOptions } from '../../electron/core/blobs/blob-uploader.js';
import { up as documentsMigration } from '../../electron/core/store/migrations/010-documents.js';
import type { SyncTlsProvider, SyncUrlProvider } from '../../electron/core/sync/sync-client.js';

const MB = 1024 * 1024;

export interface BlobClient {
  db: Database.Database;
  http: BlobHttpClient;
  cache: BlobCache;
  uploader: BlobUploader;
  close(): Promise<void>;
}

/**
 * A client's document side over a real SQLite file under `dir` with the product's migration 012:
 * upload queue, cache and HTTP client, durable so a killed client process can be resumed.
 */
export function openBlobClient(
  dir: string,
  url: SyncUrlProvider,
  tls: SyncTlsProvider,
  options: BlobUploaderOptions & { cacheBytes?: number; chunkDelayMs?: number } = {},
): BlobClient {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'client.db'));
  db.pragma('journal_mode = WAL');
  const migrated = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'blob_upload'`).get();
  if (!migrated) db.exec(documentsMigration);
  const http = options.chunkDelayMs ? new SlowBlobHttpClient(url, tls, options.chunkDelayMs) : new BlobHttpClient(url, tls);
  const cache = new BlobCache(db, join(dir, 'cache'), http, () => options.cacheBytes ?? 2 * 1024 ** 3);
  const uploader = new BlobUploader(db, cache, http, { backoff: { baseMs: 50, maxMs: 500 }, ...options });
  return {
    db,
    http,
    cache,
    uploader,
    close: async () => {
      await uploader.stop();
      http.close();
      db.close();
    },
  };
}

/** Sends each chunk only after a pause, so that a test can cut an upload in the middle. */
class SlowBlobHttpClient extends BlobHttpClient {
  constructor(
    url: SyncUrlProvider,
    tls: SyncTlsProvider,
    private readonly delayMs: number,
  ) {
    super(url, tls);
  }

  override async putChunk(sha256: string, offset: number, chunk: Buffer) {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.putChunk(sha256, offset, chunk);
  }

  override async putFileChunk(sha256: string, offset: number, file: string, length: number) {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.putFileChunk(sha256, offset, file, length);
  }
}

/** A file that is a PDF by its content: the header, `bytes` of random body, the trailer. */
export function writeTestPdf(file: string, bytes: number): Buffer {
  const data = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'), randomBytes(bytes), Buffer.from('\n%%EOF\n')]);
  writeFileSync(file, data);
  return data;
}

/** A large PDF-by-content file written piece by piece (never whole in memory); answers its size. */
export async function writeTestPdfStreamed(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  const head = Buffer.from('%PDF-1.4\n');
  const tail = Buffer.from('\n%%EOF\n');
  const write = (data: Buffer) =>
    new Promise<void>((resolve, reject) => out.write(data, (error) => (error ? reject(error) : resolve())));
  await write(head);
  for (let left = bytes; left > 0; left -= MB) await write(randomBytes(Math.min(MB, left)));
  await write(tail);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return head.length + bytes + tail.length;
}
