import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BlobCache } from '../../../../../electron/core/blobs/blob-cache.js';
import type { BlobHttpClient } from '../../../../../electron/core/blobs/blob-http.js';
import { BlobUploader } from '../../../../../electron/core/blobs/blob-uploader.js';
import { up as documentsMigration } from '../../../../../electron/core/store/migrations/010-documents.js';
import { SyncRequestError } from '../../../../../electron/core/sync/sync-client.js';
import { BLOB_CHUNK_BYTES, LEGACY_BLOB_CHUNK_BYTES, type BlobUploadState } from '../../../../../protocol/index.js';
import { writeTestPdf } from '../../../../helpers/blob-client.js';

const MB = 1024 * 1024;

/**
 * A server as the uploader sees it: it keeps the offset, takes at most `maxChunk` bytes per request
 * (answering 413 `body_too_large` above, as servers before streamed chunks did) and records each request.
 */
function fakeServer(size: number, maxChunk: number) {
  let offset = 0;
  const requests: number[] = [];
  const partial = (): BlobUploadState => ({ state: 'partial', sha256: 'x'.repeat(64), size, offset });
  const http = {
    start: () => Promise.resolve(partial()),
    putFileChunk: (_sha: string, at: number, _file: string, length: number) => {
      requests.push(length);
      if (length > maxChunk) return Promise.reject(new SyncRequestError('body_too_large', 'too large', 413));
      if (at !== offset) return Promise.reject(new SyncRequestError('wrong_offset', 'wrong', 409, String(offset)));
      offset += length;
      return Promise.resolve(partial());
    },
    finish: () => Promise.resolve({ state: 'complete', sha256: 'x'.repeat(64), size } as BlobUploadState),
  } as unknown as BlobHttpClient;
  return { http, requests, offset: () => offset };
}

/** A client profile with the product's migration: the queue and the cache the uploader reads from. */
function profile() {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-chunks-'));
  const db = new Database(join(dir, 'client.db'));
  db.exec(documentsMigration);
  return { dir, db, cache: new BlobCache(db, join(dir, 'cache'), undefined) };
}

describe('BlobUploader chunks', () => {
  it(`sends a file in requests of ${BLOB_CHUNK_BYTES / MB} MiB, streamed from the cache`, async () => {
    const { dir, db, cache } = profile();
    const data = writeTestPdf(join(dir, 'scan.pdf'), 20 * MB);
    const server = fakeServer(data.length, BLOB_CHUNK_BYTES);
    const up = new BlobUploader(db, cache, server.http);
    await up.enqueue(join(dir, 'scan.pdf'), 'tischlerei');
    expect(await up.drain()).toBe(0);
    expect(server.offset()).toBe(data.length);
    expect(server.requests).toEqual([BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES, data.length - 2 * BLOB_CHUNK_BYTES]);
  });

  it('falls back to 1 MiB requests for a server that refuses larger ones, and finishes the upload', async () => {
    const { dir, db, cache } = profile();
    const data = writeTestPdf(join(dir, 'scan.pdf'), 3 * MB);
    const server = fakeServer(data.length, LEGACY_BLOB_CHUNK_BYTES);
    const up = new BlobUploader(db, cache, server.http);
    await up.enqueue(join(dir, 'scan.pdf'), 'tischlerei');
    expect(await up.drain()).toBe(0);
    expect(server.offset()).toBe(data.length);
    expect(server.requests[0]).toBe(data.length); // the first try, refused
    expect(server.requests.slice(1)).toEqual([MB, MB, MB, data.length - 3 * MB]);
    expect(up.pending()).toEqual([]);
  });
});
