/**
 * `npm run bench -- sync`: the sync server over TLS on loopback against PostgreSQL (a fresh database
 * on 127.0.0.1:5432, dropped afterwards), clients are SQLite stores with the sync engine. Client
 * and server share this process and the machine's cores, so the figures are conservative.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { SyncHttpClient } from '../electron/core/sync/sync-client.js';
import { SyncEngine } from '../electron/core/sync/sync-engine.js';
import { encodePush, formatVersion, type Change } from '../protocol/index.js';
import { TEST_DIRECTORY, syncFixture } from '../test/helpers/sync-fixture.js';
import { TestSyncStore } from '../test/helpers/test-sync-store.js';
import { emit, onAbort, percentile, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'sync';
const log = (message: string) => process.stderr.write(`${message}\n`);
const CHANGES = size(10_000, 500);
const INITIAL_CONTACTS = size(100_000, 1000);
const LIVE_ROUNDS = size(40, 5);
const PER_CLIENT = size(2000, 40);
const PUSH_ROUNDS = size(3, 1);
const PUSH_BATCH = 1000;

const users = Array.from({ length: 20 }, (_, i) => ({
  id: `load${i}`,
  name: `Load ${i}`,
  role: 'teleworker' as const,
  tenants: ['tischlerei', 'sanitaer'],
  certificates: [],
}));
const noteChanges = (n: number, node: string): Change[] =>
  Array.from({ length: n }, (_, k) => ({
    table: 'note',
    id: randomUUID(),
    tenant: 'tischlerei',
    field: 'body',
    value: `Rückruf ${k}: Angebot für die Treppe besprechen`,
    version: formatVersion(Date.now(), k % 99_999, node),
  }));

/**
 * The same-run baseline of a push: the same rows inserted into the same table (field_state) with
 * one prepared statement in one transaction, straight over a PostgreSQL connection; seconds.
 */
async function bareInsert(databaseUrl: string, changes: Change[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('BEGIN');
    for (const c of changes)
      await client.query({
        name: 'bare-field-insert',
        text: `INSERT INTO field_state (tbl, id, field, tenant, value, version, seq, author)
               VALUES ($1, $2, $3, $4, $5, $6, nextval('change_seq'), 'bench')`,
        values: [c.table, c.id, c.field, c.tenant, JSON.stringify(c.value), c.version],
      });
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    // Rows of no client's making (no sync_record, no push): gone before anyone pulls.
    await client.query("DELETE FROM field_state WHERE author = 'bench'");
    return seconds;
  } finally {
    await client.end();
  }
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const f = await step('sync server and database', 60_000, () =>
    syncFixture('postgres', { ...TEST_DIRECTORY, users: [...TEST_DIRECTORY.users, ...users] }),
  );
  onAbort(() => f.close());
  const engines: SyncEngine[] = [];
  const client = (user: string, options: { live?: boolean; batchSize?: number; pullLimit?: number } = {}) => {
    const store = new TestSyncStore(':memory:');
    const engine = new SyncEngine({
      store,
      serverUrl: f.url,
      tls: () => f.tls(user),
      live: options.live ?? false,
      batchSize: options.batchSize ?? 1000,
      pullLimit: options.pullLimit ?? 5000,
    });
    engines.push(engine);
    engine.start();
    return { store, engine };
  };

  try {
    // 0. CHANGES field changes pushed through the server (client encoding, TLS, validation, the
    // server's write path) against the same rows inserted bare; alternated, medians.
    await step(`push vs bare SQL, ${CHANGES} changes`, 120_000, async () => {
      if (!f.databaseUrl) throw new Error('the sync fixture has no PostgreSQL URL');
      const http = new SyncHttpClient(f.url, () => f.tls('anna'));
      try {
        await http.pull('0', 1);
        const pushed: number[] = [];
        const bare: number[] = [];
        for (let round = 0; round < PUSH_ROUNDS; round++) {
          bare.push(await bareInsert(f.databaseUrl, noteChanges(CHANGES, '00000000000000bb')));
          const changes = noteChanges(CHANGES, '00000000000000aa');
          const started = performance.now();
          for (let k = 0; k < changes.length; k += PUSH_BATCH) {
            const { results } = await http.push(changes.slice(k, k + PUSH_BATCH));
            if (results.length !== Math.min(PUSH_BATCH, changes.length - k))
              throw new Error(`push answered ${results.length} results`);
          }
          pushed.push((performance.now() - started) / 1000);
        }
        const [push, sql] = [percentile(pushed, 0.5), percentile(bare, 0.5)];
        emit(SUITE, 'push_10k_changes_s', push, 's');
        emit(SUITE, 'bare_sql_insert_10k_s', sql, 's');
        emit(SUITE, 'push_vs_bare_sql_ratio', push / sql, 'ratio');
      } finally {
        http.close();
      }
    });

    // 1. CHANGES field changes pushed by A and pulled by B
    await step(`push and pull, ${CHANGES} changes`, 120_000, async () => {
      const a = client('anna');
      const b = client('ben');
      await a.engine.syncNow();
      await b.engine.syncNow();
      a.store.db.transaction(() => {
        for (let i = 0; i < CHANGES; i++)
          a.store.write('note', randomUUID(), 'tischlerei', 'body', `Rückruf ${i}: Angebot für die Treppe besprechen`);
      })();
      const before = Object.keys(b.store.snapshot((t) => t === 'note')).length;
      const started = performance.now();
      await a.engine.syncNow();
      await b.engine.syncNow();
      const seconds = (performance.now() - started) / 1000;
      const got = Object.keys(b.store.snapshot((t) => t === 'note')).length - before;
      if (got !== CHANGES) throw new Error(`B got ${got} notes, expected ${CHANGES}`);
      emit(SUITE, 'push_pull_10k_changes_s', seconds, 's');
    });

    // 4. live latency: A pushes, B (live socket) has applied it
    await step('live latency', 60_000, async () => {
      const a = client('anna');
      const b = client('carl', { live: true });
      await b.engine.syncNow();
      for (let i = 0; i < 100 && !b.engine.status().live; i++) await new Promise((r) => setTimeout(r, 20));
      const samples: number[] = [];
      for (let i = 0; i < LIVE_ROUNDS; i++) {
        const id = randomUUID();
        const started = performance.now();
        a.store.write('note', id, 'tischlerei', 'body', `live ${i}`);
        await a.engine.syncNow();
        while (b.store.get('note', id, 'body') === undefined) {
          if (performance.now() - started > 5000) throw new Error('live change did not arrive within 5 s');
          await new Promise((r) => setTimeout(r, 1));
        }
        samples.push(performance.now() - started);
      }
      emit(SUITE, 'live_latency_p95_ms', percentile(samples, 0.95), 'ms');
    });

    // 2. an empty client's initial sync of 100,000 contacts (name, email, city: 300,000 fields)
    await step(`initial sync of ${INITIAL_CONTACTS} contacts`, 300_000, async () => {
      await f.server.db.query(
        `WITH c AS (SELECT gen_random_uuid() AS id, g FROM generate_series(1, $2::int) g)
       INSERT INTO field_state (tbl, id, field, tenant, value, version, seq, author)
       SELECT 'contact', c.id, f.field, 'sanitaer', to_jsonb(f.field || ' ' || c.g), $1, nextval('change_seq'), 'import'
         FROM c CROSS JOIN (VALUES ('name'), ('email'), ('city')) AS f(field)`,
        [formatVersion(Date.now(), 0, '00000000000000aa'), INITIAL_CONTACTS],
      );
      // what autovacuum would do after a bulk load this size; without statistics the planner sorts
      await f.server.db.query('ANALYZE field_state');
      const probe = new SyncHttpClient(f.url, () => f.tls('ben'));
      let after = '0';
      const t0 = performance.now();
      for (let more = true; more;) ({ cursor: after, more } = await probe.pull(after, 5000));
      log(`(server + TLS + JSON only: ${((performance.now() - t0) / 1000).toFixed(1)} s for the 100k pull)`);
      probe.close();
      const fresh = client('ben');
      const started = performance.now();
      await fresh.engine.syncNow();
      const seconds = (performance.now() - started) / 1000;
      const got = Object.keys(fresh.store.snapshot((t) => t === 'contact')).length;
      if (got < 3 * INITIAL_CONTACTS) throw new Error(`initial sync has ${got} contact fields`);
      emit(SUITE, 'initial_sync_100k_contacts_s', seconds, 's');
    });

    // 3. bytes on the wire for a one-field edit: whole record vs. field-level
    await step('bytes of a one-field edit', 10_000, () => {
      const id = randomUUID();
      const version = formatVersion(Date.now(), 0, '0123456789abcdef');
      // The contact as the store models it (protocol/store.ts Contact), plus the revision a
      // whole-document sync (CouchDB style) sends along.
      const phone = (kind: string, number: string, e164: string) => ({
        id: randomUUID(),
        contact_id: id,
        kind,
        number,
        e164,
        valid: true,
      });
      const record = {
        id,
        _rev: '7-4f3c2a9be0d14c8f9a7b6c5d4e3f2a1b',
        tenant: 'tischlerei',
        name: 'Dr. Margarete Meier-Schulze',
        company: 'Meier & Schulze Immobilienverwaltung GmbH',
        email: 'm.meier-schulze@example-immobilien.de',
        street: 'Friedrich-Ebert-Straße 117',
        postal_code: '10117',
        city: 'Berlin',
        notes: 'Hausverwaltung für drei Objekte in Mitte; Rückrufe bitte vormittags. Schlüssel beim Hausmeister.',
        phones: [phone('work', '030 1234567', '+49301234567'), phone('mobile', '0170 7654321', '+491707654321')],
        created_at: '2026-03-02T09:14:51.000Z',
        updated_at: '2026-11-20T16:02:11.000Z',
      };
      const change: Change = {
        table: 'contact',
        id,
        tenant: 'tischlerei',
        field: 'email',
        value: 'meier@example-immobilien.de',
        version,
      };
      const whole = Buffer.byteLength(JSON.stringify({ records: [{ ...record, email: change.value }] }));
      // exactly the body the client engine sends (SyncHttpClient.push)
      const field = Buffer.byteLength(JSON.stringify(encodePush([change])));
      emit(SUITE, 'field_edit_bytes_ratio', whole / field, 'ratio');
    });

    // 5. 20 concurrent clients pushing against PostgreSQL (push only: the server's write path)
    await step('20 concurrent pushers', 120_000, async () => {
      const perClient = PER_CLIENT;
      const batch = 200;
      const pushers = users.map((u, i) => ({
        http: new SyncHttpClient(f.url, () => f.tls(u.id)),
        changes: Array.from({ length: perClient }, (_, k): Change => ({
          table: 'note',
          id: randomUUID(),
          tenant: i % 2 ? 'sanitaer' : 'tischlerei',
          field: 'body',
          value: `load ${k}`,
          version: formatVersion(Date.now(), k % 99_999, (0x1000000000000000 + i).toString(16)),
        })),
      }));
      await Promise.all(pushers.map((p) => p.http.pull('0', 1)));
      const started = performance.now();
      await Promise.all(
        pushers.map(async (p) => {
          for (let k = 0; k < p.changes.length; k += batch) await p.http.push(p.changes.slice(k, k + batch));
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      for (const p of pushers) p.http.close();
      emit(SUITE, 'server_changes_per_s', (pushers.length * perClient) / seconds, 'changes/s');
    });
  } finally {
    await step('clean-up', 30_000, async () => {
      for (const e of engines) await e.stop();
      await f.close();
      rmSync(f.home.home, { recursive: true, force: true });
    });
  }
});
