import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../../electron/core/store/store.js';
import { ServerClock } from '../../../electron/core/sync/server-clock.js';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import type { PendingChange, PushOutcome, SyncStorePort } from '../../../electron/core/sync/store-port.js';
import { MAX_CLOCK_SKEW_MS, parseVersion, type Change } from '../../../protocol/index.js';
import { syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

/**
 * Laptops whose clocks are off by up to three days either way, against the real server and the
 * product's SQLite store. Server and laptops run on one simulated time (the server's clock is
 * `sim.t`, a laptop's `sim.t + skew`), so "later in server time" is exact.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const FIELDS = ['name', 'email', 'city'] as const;
const USERS = ['anna', 'ben', 'carl', 'anna'];
const dir = mkdtempSync(join(tmpdir(), 'vermittlung-clock-skew-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const sim = { t: Math.floor(Date.now() / 1000) * 1000 };

type Op =
  | { kind: 'edit'; client: number; record: number; field: number; value: string }
  | { kind: 'sync'; client: number }
  | { kind: 'offline'; client: number; offline: boolean }
  | { kind: 'wait'; ms: number };

const op = (n: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('edit' as const),
        client: fc.nat(n - 1),
        record: fc.nat(1),
        field: fc.nat(FIELDS.length - 1),
        value: fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s.trim().length > 0),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), client: fc.nat(n - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), client: fc.nat(n - 1), offline: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 2 * HOUR }) }) },
  );

const skew = fc.oneof(
  fc.constantFrom(-3 * DAY, -DAY, -3 * HOUR, 0, 3 * HOUR, DAY, 3 * DAY),
  fc.integer({ min: -3 * DAY, max: 3 * DAY }),
);

describe('clocks off by days (pglite)', () => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await syncFixture('pglite', undefined, { now: () => sim.t });
  });
  afterAll(async () => {
    await f?.close();
  });

  /** A laptop: its store and engine on its own clock, corrected by what the server's answers say. */
  const laptop = (user: string, skewMs: number, offline: boolean) => {
    const clock = new ServerClock({ localNow: () => sim.t + skewMs });
    const store = LocalStore.open(join(dir, `${files++}.db`), { now: () => new Date(clock.now()) });
    // what the server acknowledged as applied, per field: those values must never be lost
    const applied: Change[] = [];
    const inFlight = new Map<number, Change>();
    const port: SyncStorePort = Object.assign(Object.create(store.sync) as SyncStorePort, {
      pendingChanges: (limit: number): PendingChange[] => {
        const pending = store.sync.pendingChanges(limit);
        for (const p of pending) inFlight.set(p.outboxId, p.change);
        return pending;
      },
      acknowledge: (outcomes: PushOutcome[]): void => {
        for (const o of outcomes) if (o.status === 'applied') applied.push(inFlight.get(o.outboxId)!);
        store.sync.acknowledge(outcomes);
      },
    });
    const c = { user, skew: skewMs, store, clock, applied, offline, restamps: 0, engine: undefined as unknown as SyncEngine };
    c.engine = new SyncEngine({
      store: port,
      clock,
      log: {
        info: (message) => void (message.includes('stamped again') && c.restamps++),
        warn: () => undefined,
      },
      serverUrl: () => (c.offline ? undefined : f.url),
      tls: () => f.tls(user),
      live: false,
      backoff: { baseMs: 5, maxMs: 20 },
    });
    c.engine.start();
    return c;
  };
  type Laptop = ReturnType<typeof laptop>;

  const edit = (c: Laptop, id: string, field: string, value: string) =>
    c.store.write(() => c.store.writer.writeLocal('contact', id, 'tischlerei', { [field]: value }));

  const fieldsOf = (c: Laptop, ids: string[]) =>
    c.store.db
      .prepare(
        `SELECT c.id, v.field, v.version, CASE v.field WHEN 'name' THEN c.name WHEN 'email' THEN c.email ELSE c.city END AS value
           FROM contact c JOIN field_version v ON v.tbl = 'contact' AND v.id = c.id
          WHERE c.id IN (${ids.map(() => '?').join(',')}) ORDER BY c.id, v.field`,
      )
      .all(...ids) as { id: string; field: string; version: string; value: string }[];

  const stopAll = async (laptops: Laptop[]) => {
    for (const c of laptops) {
      await c.engine.stop();
      c.store.close();
    }
  };

  it('converge; a later edit in server time wins; no acknowledged edit is lost; nothing is quarantined', async () => {
    let restamped = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 4 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.tuple(skew, fc.boolean()), { minLength: n, maxLength: n }),
              fc.array(op(n), { minLength: 5, maxLength: 30 }),
            ),
          ),
        async ([setup, ops]) => {
          const ids = [randomUUID(), randomUUID()];
          // a laptop that has not synced yet does not know its offset: its first edits are stamped on its own clock
          const laptops = setup.map(([s, synced], i) => laptop(USERS[i]!, s, !synced));
          const edits: { t: number; key: string; value: string; measured: boolean }[] = [];
          try {
            for (const c of laptops) if (!c.offline) await c.engine.syncNow();
            for (const o of ops) {
              if (o.kind === 'wait') {
                sim.t += o.ms;
                continue;
              }
              const c = laptops[o.client]!;
              if (o.kind === 'edit') {
                sim.t += 1000;
                const [id, field] = [ids[o.record]!, FIELDS[o.field]!];
                edit(c, id, field, o.value);
                edits.push({ t: sim.t, key: `${id}/${field}`, value: o.value, measured: c.clock.offset() !== null });
              } else if (o.kind === 'offline') c.offline = o.offline;
              else if (!c.offline) await c.engine.syncNow();
            }
            for (const c of laptops) c.offline = false;
            for (let round = 0; round < 2; round++) for (const c of laptops) await c.engine.syncNow();

            const server = await f.server.db.query<{ key: string; version: string; value: string }>(
              `SELECT id::text || '/' || field AS key, version, value #>> '{}' AS value FROM field_state
                WHERE tbl = 'contact' AND id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) ORDER BY 1`,
              [JSON.stringify(ids)],
            );
            const final = new Map(server.rows.map((r) => [r.key, r]));
            for (const c of laptops) {
              expect(c.store.sync.pendingCount()).toBe(0);
              expect(c.store.sync.quarantinedCount()).toBe(0);
              // every replica holds the server's value and version of every field
              const local = fieldsOf(c, ids).map((r) => [
                `${r.id}/${r.field}`,
                { key: `${r.id}/${r.field}`, version: r.version, value: r.value },
              ]);
              expect(Object.fromEntries(local)).toEqual(Object.fromEntries(final));
              // nobody's clock was dragged into the future, and no version there pins a field
              expect(c.store.writer.clock.snapshot().ms).toBeLessThanOrEqual(sim.t + MAX_CLOCK_SKEW_MS);
              for (const a of c.applied) expect(final.get(`${a.id}/${a.field}`)!.version >= a.version).toBe(true);
            }
            for (const row of server.rows) expect(parseVersion(row.version).ms).toBeLessThanOrEqual(sim.t + MAX_CLOCK_SKEW_MS);
            // the latest edit of a field wins whatever the clocks say, once its laptop had heard from the server
            for (const key of new Set(edits.map((e) => e.key))) {
              const ofKey = edits.filter((e) => e.key === key);
              if (!ofKey.every((e) => e.measured)) continue;
              expect(final.get(key)?.value).toBe(ofKey.reduce((a, b) => (b.t > a.t ? b : a)).value);
            }
            restamped += laptops.reduce((n, c) => n + c.restamps, 0);
          } finally {
            await stopAll(laptops);
          }
        },
      ),
      { numRuns: 12 },
    );
    expect(restamped).toBeGreaterThan(0);
  }, 240_000);

  it('changes an older build quarantined for a clock ahead are re-stamped and pushed, not left in the quarantine', async () => {
    const id = randomUUID();
    const ahead = laptop('anna', 2 * DAY, true);
    try {
      edit(ahead, id, 'city', 'Köln');
      const ids = ahead.store.sync.pendingChanges(10).map((p) => p.outboxId);
      ahead.store.sync.quarantine(ids, {
        code: 'version_in_future',
        message: 'version is more than 24 h in the future',
        status: 400,
      });
      expect(ahead.store.sync.quarantinedCount()).toBe(1);
      ahead.offline = false;
      await ahead.engine.syncNow();
      expect(ahead.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 0 });
      const server = await f.server.db.query<{ version: string; value: string }>(
        `SELECT version, value #>> '{}' AS value FROM field_state WHERE id = $1::uuid AND field = 'city'`,
        [id],
      );
      expect(server.rows).toHaveLength(1);
      expect(server.rows[0]!.value).toBe('Köln');
      expect(parseVersion(server.rows[0]!.version).ms).toBeLessThanOrEqual(sim.t + MAX_CLOCK_SKEW_MS);
    } finally {
      await stopAll([ahead]);
    }
  });

  it('an import on a laptop a day ahead, before it heard from the server, is re-stamped whole and reaches the others', async () => {
    const ahead = laptop('anna', DAY, true);
    const other = laptop('ben', 0, false);
    try {
      const text = 'name,company,phone\nKunde Uhr 1,Firma Uhr,030 3900001\nKunde Uhr 2,Firma Uhr,030 3900002\n';
      const report = await ahead.store.import({ tenant: 'tischlerei', format: 'csv', csvProfile: 'generic', text });
      expect(report).toMatchObject({ imported: 2, failed: 0 });
      ahead.offline = false;
      await ahead.engine.syncNow();
      expect(ahead.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 0 });
      expect(ahead.restamps).toBe(1);
      await other.engine.syncNow();
      const hit = other.store.lookup.caller('030 3900002').contact;
      expect(hit).toMatchObject({ name: 'Kunde Uhr 2', company: 'Firma Uhr' });
      const version = other.store.writer.version('contact', hit!.id, 'company')!;
      expect(parseVersion(version).ms).toBeLessThanOrEqual(sim.t + MAX_CLOCK_SKEW_MS);
      expect(ahead.store.writer.version('contact', hit!.id, 'company')).toBe(version);
    } finally {
      await stopAll([ahead, other]);
    }
  }, 30_000);

  it('a laptop a day ahead edits; a correct one edits the same field a minute later and wins', async () => {
    for (const synced of [true, false]) {
      const id = randomUUID();
      const ahead = laptop('anna', DAY, !synced);
      const right = laptop('ben', 0, false);
      try {
        await right.engine.syncNow();
        edit(right, id, 'name', 'Müller');
        await right.engine.syncNow();
        if (synced) await ahead.engine.syncNow();
        sim.t += 5000;
        // unsynced, the laptop stamps its own clock: the server refuses the version, it is stamped again
        edit(ahead, id, 'name', 'Meier (vom Laptop)');
        ahead.offline = false;
        await ahead.engine.syncNow();
        expect(ahead.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 0 });
        expect(ahead.restamps).toBe(synced ? 0 : 1);
        expect(Math.abs(ahead.engine.status().clockOffset! + DAY)).toBeLessThanOrEqual(1000);
        sim.t += 60_000;
        await right.engine.syncNow();
        expect(right.store.contacts.get(id).name).toBe('Meier (vom Laptop)');
        edit(right, id, 'name', 'Meier-Schulz');
        await right.engine.syncNow();
        await ahead.engine.syncNow();
        for (const c of [ahead, right]) expect(c.store.contacts.get(id).name).toBe('Meier-Schulz');
        expect(right.store.sync.conflicts(10)).toEqual([]);
        // the laptop's own next edit is stamped in server time too, and wins in turn
        sim.t += 60_000;
        edit(ahead, id, 'name', 'Meier');
        await ahead.engine.syncNow();
        await right.engine.syncNow();
        expect(right.store.contacts.get(id).name).toBe('Meier');
        expect(parseVersion(right.store.writer.version('contact', id, 'name')!).ms).toBe(sim.t);
      } finally {
        await stopAll([ahead, right]);
      }
    }
  }, 60_000);
});
