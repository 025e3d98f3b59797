import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import type { Change, FieldValue, PulledChange } from '../../../protocol/index.js';
import { BACKENDS, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { flatPulled, pushBody } from '../../helpers/sync-wire.js';
import { TestSyncStore } from '../../helpers/test-sync-store.js';

/**
 * The property: several clients edit and delete overlapping records and fields, some stay
 * offline for a while, pushes are delivered twice and pulled pages arrive duplicated and out of
 * order — in the end every client and the server hold identical data, each field the value of its
 * greatest version.
 */
const RECORDS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];
const FIELDS = ['name', 'email', 'city', '_deleted'] as const;
const USERS = ['anna', 'ben', 'carl', 'anna', 'ben'];

type Op =
  | { kind: 'edit'; client: number; record: number; field: number; value: string }
  | { kind: 'delete'; client: number; record: number }
  | { kind: 'sync'; client: number }
  | { kind: 'offline'; client: number; offline: boolean }
  | { kind: 'repush'; client: number; pick: number }
  | { kind: 'replay'; client: number; seed: number };

const op = (clients: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('edit' as const),
        client: fc.nat(clients - 1),
        record: fc.nat(2),
        field: fc.nat(2),
        value: fc.string({ maxLength: 6 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), client: fc.nat(clients - 1), record: fc.nat(2) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), client: fc.nat(clients - 1) }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('offline' as const), client: fc.nat(clients - 1), offline: fc.boolean() }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('repush' as const), client: fc.nat(clients - 1), pick: fc.nat(1000) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('replay' as const), client: fc.nat(clients - 1), seed: fc.nat(1000) }),
    },
  );

/** A push carries a field once; a replayed slice keeps the first write of each field. */
function onePerField(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return changes.filter((c) => !seen.has(`${c.id}/${c.field}`) && seen.add(`${c.id}/${c.field}`));
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(BACKENDS)('convergence on %s', (backend) => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('all replicas end identical with the greatest version per field', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 5 }).chain((n) => fc.tuple(fc.constant(n), fc.array(op(n), { minLength: 5, maxLength: 40 }))),
        async ([n, ops]) => {
          // A fresh tenant per run keeps runs independent on one server.
          const records = RECORDS.map((r) => `${r.slice(0, 24)}${(run * 7919).toString(16).padStart(12, '0').slice(-12)}`);
          run++;
          const clients = Array.from({ length: n }, (_, i) => {
            const user = USERS[i]!;
            const store = new TestSyncStore(':memory:');
            const engine = new SyncEngine({
              store,
              serverUrl: f.url,
              tls: () => f.tls(user),
              live: false,
              backoff: { baseMs: 5, maxMs: 20 },
            });
            return { user, store, engine, offline: false, pushed: [] as Change[] };
          });
          const written = new Map<string, { value: FieldValue; version: string }>();
          const remember = (key: string, value: FieldValue, version: string) => {
            const prev = written.get(key);
            if (!prev || prev.version < version) written.set(key, { value, version });
          };
          try {
            for (const c of clients) c.engine.start();
            for (const o of ops) {
              const c = clients[o.client]!;
              if (o.kind === 'edit' || o.kind === 'delete') {
                const id = records[o.record]!;
                const field = o.kind === 'edit' ? FIELDS[o.field]! : '_deleted';
                const value = o.kind === 'edit' ? o.value : true;
                const version = c.store.write('contact', id, 'tischlerei', field, value);
                remember(`contact/${id}/${field}`, value, version);
              } else if (o.kind === 'offline') {
                c.offline = o.offline;
              } else if (c.offline) {
                continue;
              } else if (o.kind === 'sync') {
                c.pushed.push(...c.store.pendingChanges(1000).map((p) => p.change));
                await c.engine.syncNow();
              } else if (o.kind === 'repush' && c.pushed.length > 0) {
                // a push whose answer was lost, delivered again
                const start = o.pick % c.pushed.length;
                const res = await rawRequest(
                  f.url,
                  f.tls(c.user),
                  'POST',
                  '/sync/push',
                  JSON.stringify(pushBody(onePerField(c.pushed.slice(start, start + 5)))),
                );
                expect(res.status).toBe(200);
              } else if (o.kind === 'replay') {
                // old pages delivered again, duplicated and out of order
                const page = flatPulled(
                  (await rawRequest(f.url, f.tls(c.user), 'GET', '/sync/pull?after=0&limit=5000')).json,
                ) as PulledChange[];
                const mine = page.filter((p) => records.includes(p.id));
                const replay = shuffle([...mine, ...mine.slice(0, 3)], o.seed);
                c.store.applyPulled(replay, c.store.cursor());
              }
            }
            for (const c of clients) c.offline = false;
            for (let round = 0; round < 2; round++) for (const c of clients) await c.engine.syncNow();
            for (const c of clients) expect(c.store.pendingCount()).toBe(0);

            const ours = (t: string) => t === 'contact';
            const expected = Object.fromEntries([...written].sort(([a], [b]) => (a < b ? -1 : 1)));
            for (const c of clients) {
              const snap = Object.fromEntries(
                Object.entries(c.store.snapshot(ours)).filter(([k]) => records.some((r) => k.includes(r))),
              );
              expect(snap).toEqual(expected);
            }
            const server = await f.server.db.query<{ key: string; value: FieldValue; version: string }>(
              `SELECT tbl || '/' || id || '/' || field AS key, value, version FROM field_state WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) ORDER BY 1`,
              [JSON.stringify(records)],
            );
            expect(Object.fromEntries(server.rows.map((r) => [r.key, { value: r.value, version: r.version }]))).toEqual(expected);
          } finally {
            for (const c of clients) {
              await c.engine.stop();
              c.store.close();
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 180_000);
});
