import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openBlobClient, writeTestPdf, type BlobClient } from '../../helpers/blob-client.js';
import { BACKENDS, rawRequest, syncFixture, type SyncClient, type SyncFixture } from '../../helpers/sync-fixture.js';

const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'vermittlung-blobdir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
let f: SyncFixture | undefined;
const clients: BlobClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await f?.close();
  f = undefined;
});

function blobClient(fixture: SyncFixture, user: string): BlobClient {
  const client = openBlobClient(
    join(work, `${user}-${randomUUID()}`),
    () => fixture.url,
    () => fixture.tls(user),
  );
  clients.push(client);
  return client;
}

async function fileDocument(client: SyncClient, tenant: string, sha256: string): Promise<string> {
  const id = randomUUID();
  client.store.write('document', id, tenant, 'blob_sha256', sha256);
  client.store.write('document', id, tenant, 'name', 'brief.pdf');
  client.engine.start();
  await client.engine.syncNow();
  expect(client.store.pendingCount()).toBe(0);
  return id;
}

const chunkRows = async (fixture: SyncFixture) =>
  Number((await fixture.server.db.query<{ n: string }>('SELECT count(*)::text AS n FROM blob_chunk')).rows[0]!.n);

describe.each(BACKENDS)('document bytes in a directory (--blob-dir), on %s', (backend) => {
  it('stores files instead of rows, resumes after a restart, verifies, serves per firm and collects the files', async () => {
    const dir = join(work, `blobs-${backend}-${randomUUID()}`);
    f = await syncFixture(backend, undefined, { blobDir: dir, blobGc: { intervalMs: 100 } });
    const fixture = f;
    const data = writeTestPdf(join(work, `brief-${backend}.pdf`), 3 * MB);
    const hash = sha(data);
    const anna = blobClient(fixture, 'anna');

    // Two chunks, then the server restarts: the upload goes on from the offset the database kept.
    await anna.http.start({ sha256: hash, size: data.length, tenant: 'tischlerei' });
    await anna.http.putChunk(hash, 0, data.subarray(0, MB));
    await anna.http.putChunk(hash, MB, data.subarray(MB, 2 * MB));
    expect(readFileSync(join(dir, 'uploads', hash)).equals(data.subarray(0, 2 * MB))).toBe(true);
    await fixture.restart();
    expect(await anna.http.start({ sha256: hash, size: data.length, tenant: 'tischlerei' })).toMatchObject({ offset: 2 * MB });
    await anna.uploader.enqueue(join(work, `brief-${backend}.pdf`), 'tischlerei');
    expect(await anna.uploader.drain()).toBe(0);
    expect(readFileSync(join(dir, 'blobs', hash)).equals(data)).toBe(true);
    expect(existsSync(join(dir, 'uploads', hash))).toBe(false);
    expect(await chunkRows(fixture)).toBe(0);

    const annaSync = fixture.client('anna');
    const id = await fileDocument(annaSync, 'tischlerei', hash);
    const carl = blobClient(fixture, 'carl');
    expect(readFileSync(await carl.cache.open(hash)).equals(data)).toBe(true);

    // Bytes that do not hash to their name leave no file behind.
    const other = writeTestPdf(join(work, 'andere.pdf'), 1000);
    const forged = Buffer.concat([other.subarray(0, -1), Buffer.from('X')]);
    await anna.http.start({ sha256: sha(other), size: forged.length, tenant: 'tischlerei' });
    await anna.http.putChunk(sha(other), 0, forged);
    expect(await anna.http.finish(sha(other)).catch((e: unknown) => e)).toMatchObject({ status: 400, code: 'hash_mismatch' });
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
    expect(existsSync(join(dir, 'blobs', sha(other)))).toBe(false);

    // The last record goes: so does the file.
    annaSync.store.write('document', id, 'tischlerei', '_deleted', true);
    await annaSync.engine.syncNow();
    await expect.poll(() => existsSync(join(dir, 'blobs', hash)), { timeout: 30_000, interval: 100 }).toBe(false);
    expect((await rawRequest(fixture.url, fixture.tls('carl'), 'GET', `/blobs/${hash}`)).status).toBe(403);
  }, 300_000);
});
