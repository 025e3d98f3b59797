/**
 * Several stateless server processes over one PostgreSQL (docs/sync-protocol.md, "Live"): a commit
 * through one process nudges live clients of another (LISTEN/NOTIFY), and the advisory write lock
 * keeps sequence numbers unique and visible in increasing order across processes.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncHttpClient } from '../../../electron/core/sync/sync-client.js';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import { formatVersion, type Change } from '../../../protocol/index.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import type { Started } from '../../helpers/processes.js';
import { startServerProcess } from '../../helpers/server-process.js';
import { TEST_DIRECTORY } from '../../helpers/sync-fixture.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';
import { TestSyncStore } from '../../helpers/test-sync-store.js';

describe('two server processes on one PostgreSQL database', () => {
  let home: TestHome;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: Started[] = [];
  const urls: string[] = [];
  const engines: SyncEngine[] = [];
  const tls = (user: string) => {
    const cert = home.issue(user);
    return { key: cert.keyPem, cert: cert.certPem, ca: home.caPem };
  };

  beforeAll(async () => {
    home = createTestHome();
    home.writeDirectory(TEST_DIRECTORY);
    db = await freshDatabase();
    for (let i = 0; i < 2; i++) {
      const server = await startServerProcess({ home: home.home, database: db.url });
      servers.push(server);
      urls.push(server.url);
    }
  }, 60_000);

  afterAll(async () => {
    for (const e of engines) await e.stop();
    for (const s of servers) await s.stop();
    await db?.drop();
    if (home) rmSync(home.home, { recursive: true, force: true });
  });

  it('a client live on server B hears of a push through server A and has pulled it within 1 s', async () => {
    expect(new URL(urls[0]!).port).not.toBe(new URL(urls[1]!).port);
    const tlsAnna = tls('anna');
    const tlsBen = tls('ben');
    const one = { store: new TestSyncStore(':memory:') };
    const two = { store: new TestSyncStore(':memory:') };
    const a = new SyncEngine({ store: one.store, serverUrl: urls[0]!, tls: () => tlsAnna, live: true });
    const b = new SyncEngine({ store: two.store, serverUrl: urls[1]!, tls: () => tlsBen, live: true });
    engines.push(a, b);
    a.start();
    b.start();
    await a.syncNow();
    await b.syncNow();
    await expect.poll(() => a.status().live && b.status().live, { timeout: 10_000 }).toBe(true);

    for (let round = 0; round < 3; round++) {
      const id = randomUUID();
      one.store.write('note', id, 'tischlerei', 'body', `Rückruf ${round} über Server A`);
      const started = performance.now();
      a.notifyLocalChange();
      // B never asks: only server B's live nudge, triggered by A's NOTIFY, can bring it
      await expect
        .poll(() => two.store.get('note', id, 'body'), { timeout: 1000, interval: 5 })
        .toBe(`Rückruf ${round} über Server A`);
      expect(performance.now() - started).toBeLessThan(1000);
    }
    expect(b.status().live).toBe(true);
  });

  it('concurrent pushes through both keep sequence numbers unique and increasing, and a puller misses nothing', async () => {
    const tlsOf = [tls('anna'), tls('ben')];
    const clients = urls.map((url, i) => new SyncHttpClient(url, () => tlsOf[i]));
    const perServer = 1500;
    const batch = 50;
    const changes = urls.map((_, s) =>
      Array.from({ length: perServer }, (_, k): Change => ({
        table: 'note',
        id: randomUUID(),
        tenant: 'tischlerei',
        field: 'body',
        value: `server ${s} note ${k}`,
        version: formatVersion(Date.now(), k % 99_999, s === 0 ? '1111111111111111' : '2222222222222222'),
      })),
    );
    const ours = new Set(changes.flat().map((c) => c.id));
    // a reader on server B pulls from its cursor all the while; a seq committed late would be skipped
    const seen = new Map<string, number>();
    let pushing = true;
    const reader = (async () => {
      const client = new SyncHttpClient(urls[1]!, () => tlsOf[1]);
      let after = '0';
      for (let idle = 0; pushing || idle < 2;) {
        const page = await client.pull(after, 500);
        for (const c of page.changes) if (ours.has(c.id)) seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
        expect(BigInt(page.cursor)).toBeGreaterThanOrEqual(BigInt(after));
        after = page.cursor;
        if (!page.more && !pushing) idle++;
      }
      client.close();
    })();
    const seqsOf = await Promise.all(
      clients.map(async (client, s) => {
        const seqs: bigint[] = [];
        for (let k = 0; k < perServer; k += batch) {
          const part = changes[s]!.slice(k, k + batch);
          const answer = await client.push(part);
          for (const r of answer.results) {
            expect(r.status).toBe('applied');
            seqs.push(BigInt(r.seq!));
          }
        }
        return seqs;
      }),
    );
    pushing = false;
    await reader;
    for (const c of clients) c.close();

    const all = seqsOf.flat();
    expect(new Set(all).size).toBe(2 * perServer);
    // each pusher's later batches got greater numbers: one global, increasing sequence
    for (const seqs of seqsOf) {
      for (let k = batch; k < seqs.length; k += batch) {
        const previous = seqs.slice(k - batch, k).reduce((x, y) => (x > y ? x : y));
        expect(seqs.slice(k, k + batch).every((s) => s > previous)).toBe(true);
      }
    }
    // both processes really interleaved: neither ran all its batches before the other began
    const [a, b] = seqsOf.map((s) => [s.reduce((x, y) => (x < y ? x : y)), s.reduce((x, y) => (x > y ? x : y))]);
    expect(a![0]! < b![1]! && b![0]! < a![1]!).toBe(true);
    // the concurrent reader saw every note exactly once
    expect(seen.size).toBe(2 * perServer);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    const probe = new pg.Client({ connectionString: db.url });
    await probe.connect();
    const { rows } = await probe.query<{ n: number; s: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS s FROM field_state WHERE tbl = 'note' AND value::text LIKE '"server %'`,
    );
    await probe.end();
    expect(rows[0]).toEqual({ n: 2 * perServer, s: 2 * perServer });
  }, 120_000);
});
