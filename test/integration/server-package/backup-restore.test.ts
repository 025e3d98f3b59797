import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import { freePort } from '../../../pbx/daemons.js';
import {
  bundleTls,
  extractServerPackage,
  request,
  type BundleTls,
  type ExtractedPackage,
} from '../../helpers/packaged-server.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';
import { flatPulled, pushBody, type FlatPulled, type LooseChange } from '../../helpers/sync-wire.js';
import { TestSyncStore } from '../../helpers/test-sync-store.js';

/**
 * The restore drill of docs/server-install.md with the packaged server and vermittlung-admin: a
 * backup taken while two clients push, restored into a new home on another port, then the URL
 * switched under a client of the old server.
 */
let pkg: ExtractedPackage;
beforeAll(async () => {
  pkg = await extractServerPackage();
}, 120_000);
afterAll(() => {
  if (pkg) rmSync(pkg.work, { recursive: true, force: true });
});

const key = (c: { table: string; id: string; field: string }) => `${c.table}/${c.id}/${c.field}`;

async function pullAll(url: string, tls: BundleTls): Promise<Map<string, FlatPulled>> {
  const all = new Map<string, FlatPulled>();
  let after = '0';
  for (;;) {
    const { status, json } = await request(url, tls, 'GET', `/sync/pull?after=${after}&limit=5000`);
    expect(status).toBe(200);
    for (const change of flatPulled(json)) all.set(key(change), change);
    const page = json as { cursor: string; more: boolean };
    after = page.cursor;
    if (!page.more) return all;
  }
}

/** A client pushing one new contact per request (two fields, one transaction), remembering each field's sequence number. */
function pusher(url: string, tls: BundleTls) {
  const node = randomBytes(8).toString('hex');
  let counter = 0;
  let stopped = false;
  const batches: { at: number; seqs: Map<string, number> }[] = [];
  const loop = (async () => {
    while (!stopped) {
      const id = randomUUID();
      const version = `${String(Date.now()).padStart(15, '0')}-${String(counter++ % 99_999).padStart(5, '0')}-${node}`;
      const changes: LooseChange[] = ['name', 'city'].map((field) => ({
        table: 'contact',
        id,
        tenant: 'tischlerei',
        field,
        value: `${field} ${batches.length}`,
        version,
      }));
      const { status, json } = await request(url, tls, 'POST', '/sync/push', pushBody(changes));
      expect(status).toBe(200);
      const results = (json as { results: Record<string, Record<string, Record<string, Record<string, { seq: string }>>>> })
        .results.tischlerei!.contact![id]!;
      batches.push({ at: Date.now(), seqs: new Map(changes.map((c) => [key(c), Number(results[c.field]!.seq)])) });
    }
  })();
  return {
    batches,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe.each(['pglite', 'postgres'] as const)('backup and restore with the packaged server on %s', (backend) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('a backup taken while clients push restores into a new home on another port; the old clients sync on there', async () => {
    const home = join(pkg.work, `${backend}-home`);
    const restoredHome = join(pkg.work, `${backend}-restored`);
    const [port, restoredPort] = [await freePort('tcp'), await freePort('tcp')];
    const ok = async (args: string[]) => {
      const ran = await pkg.admin(...args);
      expect(ran.code, ran.stderr).toBe(0);
      return ran.stdout;
    };
    await ok(['ca', 'init', '--home', home, '--server-url', `https://127.0.0.1:${port}/`]);
    await ok(['tenant', 'add', 'tischlerei', '--name', 'Tischlerei Holz', '--number', '+4930111', '--home', home]);
    const tls: Record<string, BundleTls> = {};
    for (const user of ['anna', 'ben', 'carl']) {
      const bundle = join(pkg.work, `${backend}-${user}.json`);
      await ok([
        'user',
        'add',
        user,
        '--name',
        user,
        '--tenant',
        'tischlerei',
        '--home',
        home,
        '--out',
        bundle,
        '--passphrase',
        'geheim-1234',
      ]);
      tls[user] = bundleTls(bundle, 'geheim-1234');
    }
    const db = backend === 'postgres' ? await freshDatabase('pkg_backup') : undefined;
    const restoredDb = backend === 'postgres' ? await freshDatabase('pkg_restored') : undefined;
    if (db) cleanups.push(() => db.drop());
    if (restoredDb) cleanups.push(() => restoredDb.drop());
    const database = db ? ['--database', db.url] : [];

    const server = await pkg.startServer(home, port, db?.url);
    cleanups.push(() => server.stop());
    const url = server.match[1]!;

    const pushers = [pusher(url, tls.anna!), pusher(url, tls.ben!)];
    await expect.poll(() => pushers.every((p) => p.batches.length >= 5), { timeout: 20_000 }).toBe(true);
    const backupStarted = Date.now();
    const file = join(pkg.work, `${backend}-backup.tar.gz`);
    const backedUp = await ok(['backup', '--home', home, '--out', file, ...database]);
    const backupEnded = Date.now();
    expect(backedUp).toContain(`backup written to ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect
      .poll(() => pushers.every((p) => p.batches.some((b) => b.at > backupEnded + 200)), { timeout: 20_000 })
      .toBe(true);
    for (const p of pushers) await p.stop();
    const original = await pullAll(url, tls.carl!);

    await ok(['restore', file, '--home', restoredHome, ...(restoredDb ? ['--database', restoredDb.url] : [])]);
    const restoredServer = await pkg.startServer(restoredHome, restoredPort, restoredDb?.url);
    cleanups.push(() => restoredServer.stop());
    const restoredUrl = restoredServer.match[1]!;
    expect(restoredUrl).toBe(`https://127.0.0.1:${restoredPort}`);
    const restored = await pullAll(restoredUrl, tls.carl!);

    // One snapshot: the restored server holds exactly the pushes up to some sequence number — every
    // field of the original at or below it, nothing above it, no push torn in half.
    const seqOf = new Map(pushers.flatMap((p) => p.batches.flatMap((b) => [...b.seqs])));
    const snapshot = Math.max(...[...restored.keys()].map((k) => seqOf.get(k) ?? 0));
    const expected = new Map([...original].filter(([k]) => (seqOf.get(k) ?? 0) <= snapshot));
    expect(restored).toEqual(expected);
    for (const p of pushers) {
      for (const batch of p.batches) {
        // Acknowledged before the backup began: in it. Acknowledged after it ended: not.
        if (batch.at < backupStarted) for (const k of batch.seqs.keys()) expect(restored.has(k)).toBe(true);
        if (batch.at > backupEnded + 200) for (const k of batch.seqs.keys()) expect(restored.has(k)).toBe(false);
      }
    }
    expect(original.size).toBeGreaterThan(restored.size);
    expect(readFileSync(join(restoredHome, 'directory.json'), 'utf8')).toBe(readFileSync(join(home, 'directory.json'), 'utf8'));

    // ben's app synced with the old server to its last change, then IT switches the URL.
    let serverUrl = url;
    const store = new TestSyncStore(':memory:');
    const engine = new SyncEngine({
      store,
      serverUrl: () => serverUrl,
      tls: () => tls.ben!,
      live: false,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    cleanups.push(() => engine.stop());
    engine.start();
    expect((await engine.syncNow()).state).toBe('online');
    expect(store.cursor()).not.toBe('0');
    serverUrl = restoredUrl;
    const mine = randomUUID();
    store.write('contact', mine, 'tischlerei', 'name', 'Frau Meier');
    expect((await engine.syncNow()).state).toBe('online');
    expect(store.pendingCount()).toBe(0);
    // anna writes on the restored server; ben, whose cursor stems from the old one, pulls it.
    const theirs = randomUUID();
    const version = `${String(Date.now()).padStart(15, '0')}-00000-${'ab'.repeat(8)}`;
    const pushed = await request(
      restoredUrl,
      tls.anna!,
      'POST',
      '/sync/push',
      pushBody([{ table: 'contact', id: theirs, tenant: 'tischlerei', field: 'name', value: 'Herr Lehmann', version }]),
    );
    expect(pushed.status).toBe(200);
    expect((await engine.syncNow()).state).toBe('online');
    expect(store.get('contact', theirs, 'name')).toBe('Herr Lehmann');
    const after = await pullAll(restoredUrl, tls.carl!);
    expect(after.get(`contact/${mine}/name`)?.value).toBe('Frau Meier');
    expect(after.get(`contact/${mine}/name`)?.author).toBe('ben');
  }, 240_000);
});
