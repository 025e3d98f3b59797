import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { BlobCache } from '../../../../../electron/core/blobs/blob-cache.js';
import { DocumentPrefetcher } from '../../../../../electron/core/documents/document-prefetch.js';
import { SyncRequestError } from '../../../../../electron/core/sync/sync-client.js';

const SHA = 'ef'.repeat(32);

/** A document row as a pull leaves it, and a cache whose server has the bytes only once `stored` is set. */
function setup() {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE document (id TEXT PRIMARY KEY, blob_sha256 TEXT, size INTEGER, _deleted INTEGER NOT NULL DEFAULT 0)`);
  db.prepare('INSERT INTO document VALUES (?, ?, ?, 0)').run('doc-1', SHA, 1000);
  const server = { stored: false, tries: [] as number[] };
  const cached = new Set<string>();
  const started = performance.now();
  const cache = {
    has: (sha: string) => cached.has(sha),
    usedBytes: () => 0,
    open: (sha: string) => {
      server.tries.push(performance.now() - started);
      if (!server.stored) return Promise.reject(new SyncRequestError('blob_not_found', 'not yet', 404));
      cached.add(sha);
      return Promise.resolve(`/cache/${sha}`);
    },
  } as unknown as BlobCache;
  return { db, cache, server, cached };
}

describe('DocumentPrefetcher', () => {
  it('fetches bytes that came after their record as soon as the server says they are stored, not at its next retry', async () => {
    const { db, cache, server, cached } = setup();
    // A retry far beyond the test: only the announcement can make it fetch in time.
    const prefetcher = new DocumentPrefetcher({ db, cache, limitBytes: () => 1e9, enabled: () => true, retryMs: 60_000 });
    try {
      prefetcher.pulled(['doc-1']);
      await prefetcher.idle();
      expect(server.tries).toHaveLength(1);
      expect(cached.has(SHA)).toBe(false);

      server.stored = true;
      prefetcher.stored('00'.repeat(32)); // another blob: nothing to do
      prefetcher.stored(SHA);
      await prefetcher.idle();
      expect(server.tries).toHaveLength(2);
      expect(cached.has(SHA)).toBe(true);
      expect(server.tries[1]!).toBeLessThan(5_000);
    } finally {
      prefetcher.stop();
      db.close();
    }
  });
});
