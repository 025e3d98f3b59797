/* eslint-disable @typescript-eslint/no-unsafe-member-access -- these tests assert raw JSON bodies as the server sent them, erroneous ones included */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import { startSyncServer } from '../../../server/server.js';
import { startProcess, type Started } from '../../helpers/processes.js';
import { startServerProcess } from '../../helpers/server-process.js';
import { BACKENDS, TEST_DIRECTORY, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { createTestHome } from '../../helpers/pbx-certs.js';
import { freshDatabase, privatePostgres } from '../../helpers/sync-postgres.js';
import { TestSyncStore } from '../../helpers/test-sync-store.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
// `node --import tsx` keeps it one process: SIGKILL must hit the code under test, not a tsx wrapper.
const TSX = ['--import', 'tsx'];
const N = 3000;
const work = mkdtempSync(join(tmpdir(), 'vermittlung-sync-crash-'));
const running: Started[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function noteCount(f: {
  server: { db: { query: SyncFixture['server']['db']['query'] } };
}): Promise<{ rows: number; seqs: number }> {
  const { rows } = await f.server.db.query<{ rows: string; seqs: string }>(
    `SELECT count(*)::text AS rows, count(DISTINCT seq)::text AS seqs FROM field_state WHERE tbl = 'note'`,
  );
  return { rows: Number(rows[0]!.rows), seqs: Number(rows[0]!.seqs) };
}

function clientProcess(f: SyncFixture, user: string, store: string, write: number, pullLimit = 1000): Promise<Started> {
  const cert = f.cert(user);
  const args = [
    ...TSX,
    join(ROOT, 'test/helpers/sync-client-main.ts'),
    f.url,
    store,
    cert.certFile.replace(/\.crt\.pem$/, '.key.pem'),
    cert.certFile,
    f.home.layout.caCert,
    String(write),
    'tischlerei',
    '100',
    String(pullLimit),
  ];
  return startProcess(process.execPath, args, /started/, { cwd: ROOT }).then((p) => (running.push(p), p));
}

const waitFor = (p: Started, pattern: RegExp, timeoutMs = 60_000) =>
  expect.poll(() => pattern.test(p.output()), { timeout: timeoutMs, interval: 20 }).toBe(true);

function notesIn(file: string): Record<string, unknown> {
  const store = new TestSyncStore(file);
  try {
    return Object.fromEntries(Object.entries(store.snapshot((t) => t === 'note')).map(([k, v]) => [k, v.value]));
  } finally {
    store.close();
  }
}

describe.each(BACKENDS)('client crashes on %s', (backend) => {
  let f: SyncFixture;
  afterEach(async () => {
    await f?.close();
  });

  it('SIGKILL mid-push and mid-pull: resumed clients converge, nothing lost, nothing twice', async () => {
    f = await syncFixture(backend);
    const fileA = join(work, `${backend}-a.db`);
    const a = await clientProcess(f, 'anna', fileA, N);
    await expect.poll(async () => (await noteCount(f)).rows, { timeout: 60_000, interval: 5 }).toBeGreaterThan(0);
    await a.stop('SIGKILL');
    const atKill = await noteCount(f);
    expect(atKill.rows).toBeLessThan(N); // really mid-push
    const a2 = await clientProcess(f, 'anna', fileA, N);
    await waitFor(a2, /done 0 \d+/);
    expect(await noteCount(f)).toEqual({ rows: N, seqs: N });

    const fileB = join(work, `${backend}-b.db`);
    const b = await clientProcess(f, 'carl', fileB, 0, 100);
    await expect
      .poll(
        () => {
          const db = new Database(fileB, { readonly: true, fileMustExist: true });
          try {
            return Number(
              (db.prepare(`SELECT value FROM meta WHERE key = 'cursor'`).get() as { value?: string } | undefined)?.value ?? 0,
            );
          } catch {
            return 0;
          } finally {
            db.close();
          }
        },
        { timeout: 60_000, interval: 5 },
      )
      .toBeGreaterThan(0);
    await b.stop('SIGKILL');
    expect(/done/.test(b.output())).toBe(false); // really mid-pull
    const b2 = await clientProcess(f, 'carl', fileB, 0, 100);
    await waitFor(b2, /done 0 \d+/);
    const notesA = notesIn(fileA);
    expect(Object.keys(notesA)).toHaveLength(N);
    expect(notesIn(fileB)).toEqual(notesA);
  }, 120_000);
});

describe('server and database failures (PostgreSQL)', () => {
  it('SIGKILL of the server mid-push: the client retries against the restarted server and converges', async () => {
    const home = createTestHome();
    home.writeDirectory(TEST_DIRECTORY);
    const db = await freshDatabase();
    try {
      const server = await startServerProcess({ home: home.home, database: db.url });
      running.push(server);
      const url = server.url;
      const cert = home.issue('anna');
      const tls = { key: cert.keyPem, cert: cert.certPem, ca: home.caPem };
      const store = new TestSyncStore(join(work, 'server-kill.db'));
      store.db.transaction(() => {
        for (let i = 0; i < N; i++) store.write('note', randomUUID(), 'tischlerei', 'body', `n${i}`);
      })();
      const engine = new SyncEngine({
        store,
        serverUrl: url,
        tls: () => tls,
        live: false,
        batchSize: 100,
        backoff: { baseMs: 50, maxMs: 300 },
      });
      const probe = new pg.Pool({ connectionString: db.url, max: 1 });
      probe.on('error', () => undefined);
      const count = async () => {
        const r = await probe.query(
          `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS s FROM field_state WHERE tbl = 'note'`,
        );
        return r.rows[0] as { n: number; s: number };
      };
      engine.start();
      await expect.poll(async () => (await count()).n, { timeout: 30_000, interval: 5 }).toBeGreaterThan(0);
      await server.stop('SIGKILL');
      expect((await count()).n).toBeLessThan(N);
      await expect.poll(() => engine.status().state, { timeout: 10_000 }).toBe('offline');
      const restarted = await startServerProcess({ home: home.home, database: db.url, port: Number(new URL(url).port) });
      running.push(restarted);
      await expect.poll(async () => (await engine.syncNow()).pending, { timeout: 60_000, interval: 50 }).toBe(0);
      expect(await count()).toEqual({ n: N, s: N });
      expect(engine.status().state).toBe('online');
      await engine.stop();
      store.close();
      await probe.end();
    } finally {
      await db.drop();
      rmSync(home.home, { recursive: true, force: true });
    }
  }, 120_000);

  it('PostgreSQL restart: 503 meanwhile, the client retries, live resumes, nothing lost', async () => {
    const pgc = await privatePostgres();
    const home = createTestHome();
    home.writeDirectory(TEST_DIRECTORY);
    const server = await startSyncServer({ home: home.home, port: 0, database: pgc.url, log: () => undefined });
    const tlsOf = (user: string) => {
      const c = home.issue(user);
      return { key: c.keyPem, cert: c.certPem, ca: home.caPem };
    };
    const annaTls = tlsOf('anna');
    const a = new TestSyncStore(':memory:');
    const b = new TestSyncStore(':memory:');
    const engineA = new SyncEngine({
      store: a,
      serverUrl: server.url,
      tls: () => annaTls,
      live: false,
      backoff: { baseMs: 50, maxMs: 300 },
    });
    const carlTls = tlsOf('carl');
    const engineB = new SyncEngine({
      store: b,
      serverUrl: server.url,
      tls: () => carlTls,
      live: true,
      backoff: { baseMs: 50, maxMs: 300 },
    });
    try {
      engineA.start();
      engineB.start();
      const before = randomUUID();
      a.write('note', before, 'tischlerei', 'body', 'before');
      expect((await engineA.syncNow()).state).toBe('online');

      pgc.stop();
      const refused = await rawRequest(server.url, annaTls, 'GET', '/sync/pull?after=0');
      expect(refused.status).toBe(503);
      expect(refused.json.error.code).toBe('database_unavailable');
      const during = randomUUID();
      a.write('note', during, 'tischlerei', 'body', 'during the outage');
      const offline = await engineA.syncNow();
      expect(offline).toMatchObject({ state: 'offline', pending: 1, lastError: { status: 503 } });

      pgc.start();
      await expect.poll(async () => (await engineA.syncNow()).state, { timeout: 30_000, interval: 100 }).toBe('online');
      expect(a.pendingCount()).toBe(0);
      // live again after the LISTEN connection is back: B hears of a new note without asking
      await expect.poll(() => b.get('note', during, 'body'), { timeout: 15_000 }).toBe('during the outage');
      const after = randomUUID();
      a.write('note', after, 'tischlerei', 'body', 'after');
      await engineA.syncNow();
      await expect.poll(() => b.get('note', after, 'body'), { timeout: 5000 }).toBe('after');
      expect(b.get('note', before, 'body')).toBe('before');
      const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM field_state WHERE tbl = 'note'`);
      expect(rows[0]!.n).toBe(3);
    } finally {
      await engineA.stop();
      await engineB.stop();
      await server.close();
      pgc.destroy();
      rmSync(home.home, { recursive: true, force: true });
    }
  }, 120_000);
});
