import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BlobError } from '../../../electron/core/blobs/blob-error.js';
import { SyncRequestError } from '../../../electron/core/sync/sync-client.js';
import { openBlobClient, writeTestPdf, type BlobClient } from '../../helpers/blob-client.js';
import { startProcess, type Started } from '../../helpers/processes.js';
import { TEST_DIRECTORY, rawRequest, syncFixture, type SyncClient, type SyncFixture } from '../../helpers/sync-fixture.js';
import type { Directory } from '../../../server/home/directory.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'vermittlung-blobs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The test directory plus dora, a craftsman of the other firm only. */
const DIRECTORY: Directory = {
  ...TEST_DIRECTORY,
  users: [...TEST_DIRECTORY.users, { id: 'dora', name: 'Dora D', role: 'craftsman', tenants: ['sanitaer'], certificates: [] }],
};

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
let f: SyncFixture | undefined;
const clients: BlobClient[] = [];
const running: Started[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
  for (const c of clients.splice(0)) await c.close();
  await f?.close();
  f = undefined;
});

function blobClient(fixture: SyncFixture, user: string, options: Parameters<typeof openBlobClient>[3] = {}): BlobClient {
  const client = openBlobClient(
    join(work, `${user}-${randomUUID()}`),
    () => fixture.url,
    () => fixture.tls(user),
    options,
  );
  clients.push(client);
  return client;
}

/** Files a document of `tenant` naming the blob, and pushes the record. */
async function fileDocument(client: SyncClient, tenant: string, sha256: string, name: string): Promise<string> {
  const id = randomUUID();
  client.store.write('document', id, tenant, 'blob_sha256', sha256);
  client.store.write('document', id, tenant, 'name', name);
  client.store.write('document', id, tenant, 'mime', 'application/pdf');
  client.engine.start();
  const status = await client.engine.syncNow();
  expect(status.lastError ?? null).toBeNull();
  expect(client.store.pendingCount()).toBe(0);
  return id;
}

async function storedBytes(fixture: SyncFixture, sha256: string): Promise<{ chunks: number; bytes: number; blobs: number }> {
  const { rows } = await fixture.server.db.query<{ chunks: string; bytes: string; blobs: string }>(
    `SELECT count(*)::text AS chunks, COALESCE(sum(length(data)), 0)::text AS bytes,
            (SELECT count(*) FROM blob WHERE sha256 = $1)::text AS blobs
       FROM blob_chunk WHERE sha256 = $1`,
    [sha256],
  );
  return { chunks: Number(rows[0]!.chunks), bytes: Number(rows[0]!.bytes), blobs: Number(rows[0]!.blobs) };
}

describe('documents on PGlite', () => {
  // These three share one server: their files differ, and every check names its own file's hash.
  let shared: SyncFixture | undefined;
  const sharedFixture = async () => (shared ??= await syncFixture('pglite', DIRECTORY));
  afterAll(async () => {
    await shared?.close();
  });

  it('a 20 MB PDF cut by kill -9 of the uploading client resumes and arrives byte-identical at a colleague of the firm', async () => {
    const fixture = await sharedFixture();
    const pdf = join(work, 'brief.pdf');
    const data = writeTestPdf(pdf, 20 * MB);
    const cert = fixture.cert('anna');
    const dir = join(work, 'anna-process');
    const client = () =>
      startProcess(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'test/helpers/blob-client-main.ts'),
          fixture.url,
          dir,
          cert.certFile.replace(/\.crt\.pem$/, '.key.pem'),
          cert.certFile,
          fixture.home.layout.caCert,
          pdf,
          'tischlerei',
          '30',
        ],
        /queued/,
        { cwd: ROOT, timeoutMs: 60_000 },
      ).then((p) => (running.push(p), p));
    const first = await client();
    const lastChunk = (p: Started) => Number([...p.output().matchAll(/chunk (\d+)/g)].at(-1)?.[1] ?? 0);
    await expect.poll(() => lastChunk(first), { timeout: 120_000, interval: 10 }).toBeGreaterThanOrEqual(5 * MB);
    await first.stop('SIGKILL');
    expect(first.output()).not.toMatch(/done/);
    const atKill = await storedBytes(fixture, sha(data));
    expect(atKill.blobs).toBe(0); // not visible before the hash is verified
    expect(atKill.bytes).toBeGreaterThanOrEqual(5 * MB);

    const second = await client();
    await expect.poll(() => /done 0/.test(second.output()), { timeout: 180_000, interval: 50 }).toBe(true);
    const resumedAt = Number(/resume (\d+)/.exec(second.output())?.[1]);
    expect(resumedAt).toBe(atKill.bytes); // it went on where the server was, not from 0
    expect(await storedBytes(fixture, sha(data))).toEqual({ chunks: Math.ceil(data.length / MB), bytes: data.length, blobs: 1 });

    const anna = fixture.client('anna');
    await fileDocument(anna, 'tischlerei', sha(data), 'brief.pdf');
    const carl = fixture.client('carl');
    carl.engine.start();
    await carl.engine.syncNow();
    const named = Object.entries(carl.store.snapshot((t) => t === 'document')).find(([k]) => k.endsWith('/blob_sha256'));
    expect(named?.[1].value).toBe(sha(data));
    const carlBlobs = blobClient(fixture, 'carl');
    const path = await carlBlobs.cache.open(sha(data));
    expect(readFileSync(path).equals(data)).toBe(true);
  }, 300_000);

  it('a server restart mid-upload: the chunks persisted and the upload resumes from the server offset', async () => {
    const fixture = await sharedFixture();
    const pdf = join(work, 'scan.pdf');
    const data = writeTestPdf(pdf, 20 * MB);
    let restarting: Promise<void> | undefined;
    const resumes: number[] = [];
    const anna = blobClient(fixture, 'anna', {
      onResume: (_sha, offset) => resumes.push(offset),
      onChunk: (_sha, offset) => {
        if (offset >= 6 * MB && !restarting) restarting = fixture.restart();
      },
    });
    await anna.uploader.enqueue(pdf, 'tischlerei');
    anna.uploader.start();
    await expect.poll(() => restarting !== undefined, { timeout: 120_000 }).toBe(true);
    await restarting;
    await expect.poll(() => anna.uploader.pending().length, { timeout: 180_000, interval: 100 }).toBe(0);
    expect(resumes[0]).toBe(0);
    expect(resumes.length).toBeGreaterThanOrEqual(2);
    expect(resumes.at(-1)).toBeGreaterThanOrEqual(6 * MB);
    expect(await storedBytes(fixture, sha(data))).toEqual({ chunks: Math.ceil(data.length / MB), bytes: data.length, blobs: 1 });

    await fileDocument(fixture.client('anna'), 'tischlerei', sha(data), 'scan.pdf');
    const ben = blobClient(fixture, 'ben');
    expect(readFileSync(await ben.cache.open(sha(data))).equals(data)).toBe(true);
  }, 300_000);

  it('refuses another firm (403), a renamed .exe and bytes that do not hash to their name, and stores the same file only once', async () => {
    const fixture = await sharedFixture();
    const pdf = join(work, 'rechnung.pdf');
    const data = writeTestPdf(pdf, 3 * MB);
    const anna = blobClient(fixture, 'anna');
    await anna.uploader.enqueue(pdf, 'tischlerei');
    expect(await anna.uploader.drain()).toBe(0);
    await fileDocument(fixture.client('anna'), 'tischlerei', sha(data), 'rechnung.pdf');

    // dora serves only sanitaer: the hash is refused to her, by the server, whatever she knows.
    const dora = blobClient(fixture, 'dora');
    const refused = await dora.cache.open(sha(data)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect(refused).toMatchObject({ status: 403, code: 'blob_forbidden' });
    expect((await rawRequest(fixture.url, fixture.tls('dora'), 'GET', `/blobs/${sha(data)}`)).status).toBe(403);
    expect((await rawRequest(fixture.url, fixture.tls('carl'), 'GET', `/blobs/${sha(data)}`)).status).toBe(200);

    // The same file again, from another teleworker: "already there", nothing sent, stored once.
    const ben = blobClient(fixture, 'ben');
    const chunks: number[] = [];
    const benAgain = blobClient(fixture, 'ben', { onChunk: (_s, o) => chunks.push(o) });
    await benAgain.uploader.enqueue(pdf, 'sanitaer');
    expect(await benAgain.uploader.drain()).toBe(0);
    expect(chunks).toEqual([]);
    expect(await ben.http.start({ sha256: sha(data), size: data.length, tenant: 'tischlerei' })).toEqual({
      state: 'complete',
      sha256: sha(data),
      size: data.length,
    });
    expect(await storedBytes(fixture, sha(data))).toEqual({ chunks: Math.ceil(data.length / MB), bytes: data.length, blobs: 1 });

    // A program renamed to .pdf: refused locally, and by the server when sent anyway.
    const exe = join(work, 'rechnung-scan.pdf');
    const program = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(4096, 1)]);
    writeFileSync(exe, program);
    const local = await anna.uploader.enqueue(exe, 'tischlerei').catch((e: unknown) => e);
    expect(local).toBeInstanceOf(BlobError);
    expect(local).toMatchObject({ code: 'unsupported_type' });
    await anna.http.start({ sha256: sha(program), size: program.length, tenant: 'tischlerei' });
    const remote = await anna.http.putChunk(sha(program), 0, program).catch((e: unknown) => e);
    expect(remote).toMatchObject({ status: 415, code: 'unsupported_type' });
    expect(await storedBytes(fixture, sha(program))).toEqual({ chunks: 0, bytes: 0, blobs: 0 });
    const { rows } = await fixture.server.db.query('SELECT 1 FROM blob_upload WHERE sha256 = $1', [sha(program)]);
    expect(rows).toHaveLength(0);

    // Bytes that do not hash to the name they were announced under never become visible.
    const other = writeTestPdf(join(work, 'andere.pdf'), 1000);
    const forged = Buffer.concat([other.subarray(0, -1), Buffer.from('X')]);
    await anna.http.start({ sha256: sha(other), size: forged.length, tenant: 'tischlerei' });
    await anna.http.putChunk(sha(other), 0, forged);
    const mismatch = await anna.http.finish(sha(other)).catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ status: 400, code: 'hash_mismatch' });
    expect(await storedBytes(fixture, sha(other))).toEqual({ chunks: 0, bytes: 0, blobs: 0 });

    // A file above the server's limit is refused before any byte travels.
    const tooBig = await anna.http
      .start({ sha256: sha(program), size: 50 * MB + 1, tenant: 'tischlerei' })
      .catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ status: 413, code: 'blob_too_large' });
    // Uploading for a firm one does not serve is refused too.
    const foreign = await dora.http.start({ sha256: sha(program), size: 10, tenant: 'tischlerei' }).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ status: 403 });
  }, 300_000);

  it("a tombstoned document's bytes are gone once the last record referring to them is", async () => {
    f = await syncFixture('pglite', DIRECTORY, { blobGc: { intervalMs: 100 } });
    const fixture = f;
    const pdf = join(work, 'mahnung.pdf');
    const data = writeTestPdf(pdf, 2 * MB);
    const anna = blobClient(fixture, 'anna');
    await anna.uploader.enqueue(pdf, 'tischlerei');
    expect(await anna.uploader.drain()).toBe(0);
    const annaSync = fixture.client('anna');
    const first = await fileDocument(annaSync, 'tischlerei', sha(data), 'mahnung.pdf');
    const second = await fileDocument(annaSync, 'sanitaer', sha(data), 'kopie.pdf');

    annaSync.store.write('document', first, 'tischlerei', '_deleted', true);
    await annaSync.engine.syncNow();
    // Another record still refers to the bytes: several collections later, they are all there.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await storedBytes(fixture, sha(data))).toEqual({ chunks: Math.ceil(data.length / MB), bytes: data.length, blobs: 1 });
    // The tischlerei's record is a tombstone now: carl may no longer read the bytes.
    expect((await rawRequest(fixture.url, fixture.tls('carl'), 'GET', `/blobs/${sha(data)}`)).status).toBe(403);
    expect((await rawRequest(fixture.url, fixture.tls('dora'), 'GET', `/blobs/${sha(data)}`)).status).toBe(200);

    annaSync.store.write('document', second, 'sanitaer', '_deleted', true);
    await annaSync.engine.syncNow();
    await expect
      .poll(() => storedBytes(fixture, sha(data)), { timeout: 30_000, interval: 100 })
      .toEqual({
        chunks: 0,
        bytes: 0,
        blobs: 0,
      });
  }, 300_000);
});

describe('the client side on PGlite', () => {
  it('queues uploads while offline, keeps the cache within its limit by last use, and drops a download that does not hash to its name', async () => {
    f = await syncFixture('pglite', DIRECTORY);
    const fixture = f;
    const files = [1, 2, 3].map((n) => {
      const file = join(work, `foto-${n}.pdf`);
      return { file, data: writeTestPdf(file, MB) };
    });
    await fixture.stop();
    const anna = blobClient(fixture, 'anna');
    anna.uploader.start();
    for (const { file } of files) await anna.uploader.enqueue(file, 'tischlerei');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(anna.uploader.pending().map((u) => u.attempts > 0)).toEqual([true, true, true]); // tried, waiting
    await fixture.restart();
    await expect.poll(() => anna.uploader.pending().length, { timeout: 60_000, interval: 100 }).toBe(0);
    const annaSync = fixture.client('anna');
    for (const { data } of files) await fileDocument(annaSync, 'tischlerei', sha(data), 'foto.pdf');

    // Room for two of the three files: the one used longest ago goes first.
    let clock = 1000;
    const carlDir = join(work, `carl-lru-${randomUUID()}`);
    const carl = openBlobClient(
      carlDir,
      () => fixture.url,
      () => fixture.tls('carl'),
      { cacheBytes: 2 * MB + 100 },
    );
    clients.push(carl);
    const [a, b, c] = files.map((x) => sha(x.data));
    const stamp = () => carl.db.prepare('UPDATE blob_cache SET last_used = ? WHERE sha256 = ?');
    await carl.cache.open(a!);
    stamp().run(clock++, a);
    await carl.cache.open(b!);
    stamp().run(clock++, b);
    await carl.cache.open(a!); // a used again: b is now the least recently used
    stamp().run(clock++, a);
    await carl.cache.open(c!);
    expect([a, b, c].map((h) => carl.cache.has(h!))).toEqual([true, false, true]);
    expect(carl.cache.usedBytes()).toBeLessThanOrEqual(2 * MB + 100);

    // Bytes altered on the server (a broken disk): the client refuses to keep them.
    await fixture.server.db.query(`UPDATE blob_chunk SET data = $2 WHERE sha256 = $1 AND ofs = 0`, [
      b,
      Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(MB - 9, 7)]),
    ]);
    const damaged = await carl.cache.open(b!).catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(BlobError);
    expect(damaged).toMatchObject({ code: 'integrity' });
    expect(carl.cache.has(b!)).toBe(false);
  }, 300_000);
});

describe('documents on PostgreSQL', () => {
  it('upload, deduplication, per-firm reading and collection against a real PostgreSQL', async () => {
    f = await syncFixture('postgres', DIRECTORY, { blobGc: { intervalMs: 100 } });
    const fixture = f;
    const pdf = join(work, 'pg.pdf');
    const data = writeTestPdf(pdf, 5 * MB);
    const anna = blobClient(fixture, 'anna');
    await anna.uploader.enqueue(pdf, 'tischlerei');
    expect(await anna.uploader.drain()).toBe(0);
    expect((await anna.http.start({ sha256: sha(data), size: data.length, tenant: 'sanitaer' })).state).toBe('complete');
    const annaSync = fixture.client('anna');
    const id = await fileDocument(annaSync, 'tischlerei', sha(data), 'pg.pdf');
    const carl = blobClient(fixture, 'carl');
    expect(readFileSync(await carl.cache.open(sha(data))).equals(data)).toBe(true);
    expect((await rawRequest(fixture.url, fixture.tls('dora'), 'GET', `/blobs/${sha(data)}`)).status).toBe(403);
    expect(await storedBytes(fixture, sha(data))).toEqual({ chunks: Math.ceil(data.length / MB), bytes: data.length, blobs: 1 });
    annaSync.store.write('document', id, 'tischlerei', '_deleted', true);
    await annaSync.engine.syncNow();
    await expect
      .poll(() => storedBytes(fixture, sha(data)), { timeout: 30_000, interval: 100 })
      .toEqual({
        chunks: 0,
        bytes: 0,
        blobs: 0,
      });
  }, 300_000);
});
