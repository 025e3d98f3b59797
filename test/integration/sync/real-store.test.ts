import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../../electron/core/store/store.js';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import type { PulledChange } from '../../../protocol/index.js';
import { BACKENDS, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { flatPulled } from '../../helpers/sync-wire.js';

/** The same properties as convergence.test.ts, with the product's SQLite store (electron/core/store) as clients. */
const FIELDS = ['name', 'email', 'city'] as const;
const USERS = ['anna', 'ben', 'carl', 'anna', 'ben'];
const dir = mkdtempSync(join(tmpdir(), 'vermittlung-sync-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

type Op =
  | { kind: 'edit'; client: number; record: number; field: number; value: string }
  | { kind: 'delete'; client: number; record: number }
  | { kind: 'sync'; client: number }
  | { kind: 'offline'; client: number; offline: boolean }
  | { kind: 'replay'; client: number; seed: number };

const op = (n: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('edit' as const),
        client: fc.nat(n - 1),
        record: fc.nat(2),
        field: fc.nat(2),
        value: fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim().length > 0),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), client: fc.nat(n - 1), record: fc.nat(2) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), client: fc.nat(n - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), client: fc.nat(n - 1), offline: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), client: fc.nat(n - 1), seed: fc.nat(1000) }) },
  );

function replica(store: LocalStore, ids: string[]) {
  const marks = ids.map(() => '?').join(',');
  return {
    rows: store.db
      .prepare(`SELECT id, tenant_id, name, email, city, _deleted FROM contact WHERE id IN (${marks}) ORDER BY id`)
      .all(...ids),
    versions: store.db
      .prepare(`SELECT id, field, version FROM field_version WHERE tbl = 'contact' AND id IN (${marks}) ORDER BY id, field`)
      .all(...ids),
  };
}

describe.each(BACKENDS)('real SQLite stores converge on %s', (backend) => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  const client = (user: string) => {
    const store = LocalStore.open(join(dir, `${backend}-${files++}.db`));
    const engine = new SyncEngine({
      store: store.sync,
      serverUrl: f.url,
      tls: () => f.tls(user),
      live: false,
      backoff: { baseMs: 5, maxMs: 20 },
    });
    engine.start();
    return { user, store, engine, offline: false };
  };

  it('random edits, deletes, offline periods and replayed pages end identical, greatest version per field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 5 }).chain((n) => fc.tuple(fc.constant(n), fc.array(op(n), { minLength: 5, maxLength: 30 }))),
        async ([n, ops]) => {
          const clients = Array.from({ length: n }, (_, i) => client(USERS[i]!));
          const maxVersion = new Map<string, string>();
          const observe = (c: (typeof clients)[number]) => {
            for (const p of c.store.sync.pendingChanges(10_000)) {
              const key = `${p.change.id}/${p.change.field}`;
              if ((maxVersion.get(key) ?? '') < p.change.version) maxVersion.set(key, p.change.version);
            }
          };
          try {
            const ids = [0, 1, 2].map(
              (i) =>
                clients[0]!.store.write(() =>
                  clients[0]!.store.contacts.create({ tenant: 'tischlerei', name: `Kunde ${i}`, phones: [] }),
                ).id,
            );
            observe(clients[0]!);
            for (const c of clients) await c.engine.syncNow();
            for (const o of ops) {
              const c = clients[o.client]!;
              if (o.kind === 'edit' || o.kind === 'delete') {
                const id = ids[o.record]!;
                try {
                  if (o.kind === 'edit') c.store.write(() => c.store.contacts.update(id, { [FIELDS[o.field]!]: o.value }));
                  else c.store.write(() => c.store.contacts.delete(id));
                } catch (error) {
                  // editing a contact this replica already saw deleted is refused (not_found): fine
                  if ((error as { code?: string }).code !== 'not_found') throw error;
                }
                observe(c);
              } else if (o.kind === 'offline') c.offline = o.offline;
              else if (c.offline) continue;
              else if (o.kind === 'sync') await c.engine.syncNow();
              else {
                const page = flatPulled(
                  (await rawRequest(f.url, f.tls(c.user), 'GET', '/sync/pull?after=0&limit=5000')).json,
                ) as PulledChange[];
                const mine = page.filter((p) => ids.includes(p.id));
                const shuffled = [...mine, ...mine.slice(0, 2)].sort(
                  (a, b) =>
                    ((a.version.charCodeAt(a.version.length - 1) * (o.seed + 1)) % 7) -
                    ((b.version.charCodeAt(b.version.length - 1) * (o.seed + 1)) % 7),
                );
                c.store.sync.applyPulled(shuffled, c.store.sync.cursor());
              }
            }
            for (const c of clients) observe(c);
            for (let round = 0; round < 2; round++) for (const c of clients) await c.engine.syncNow();
            const first = replica(clients[0]!.store, ids);
            for (const c of clients) {
              expect(c.store.sync.pendingCount()).toBe(0);
              expect(replica(c.store, ids)).toEqual(first);
            }
            const server = await f.server.db.query<{ id: string; field: string; version: string; value: unknown }>(
              `SELECT id::text AS id, field, version, value FROM field_state WHERE tbl = 'contact' AND id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
              [JSON.stringify(ids)],
            );
            const versions = first.versions as { id: string; field: string; version: string }[];
            for (const row of server.rows) {
              expect(row.version).toBe(maxVersion.get(`${row.id}/${row.field}`));
              expect(versions.find((v) => v.id === row.id && v.field === row.field)?.version).toBe(row.version);
              if (FIELDS.includes(row.field as (typeof FIELDS)[number])) {
                const local = (first.rows as Record<string, unknown>[]).find((r) => r.id === row.id)!;
                expect(local[row.field]).toEqual(row.value);
              }
            }
          } finally {
            for (const c of clients) {
              await c.engine.stop();
              c.store.close();
            }
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 180_000);

  it('an import at A reaches B field by field through its record entries; an edit at B then wins at A', async () => {
    const a = client('anna');
    const b = client('ben');
    try {
      const rows = Array.from({ length: 1200 }, (_, i) => `Kunde ${i},Firma ${i % 7},030 ${3_000_000 + i}`);
      const text = `name,company,phone\n${rows.join('\n')}\n`;
      const report = await a.store.import({ tenant: 'tischlerei', format: 'csv', csvProfile: 'generic', text });
      expect(report).toMatchObject({ imported: 1200, failed: 0 });
      // 1,200 contacts with 2 fields and 1,200 numbers with 3, in 1,200 record entries (the numbers inside)
      expect(a.store.sync.pendingCount()).toBe(6000);
      await a.engine.syncNow();
      expect(a.store.sync.pendingCount()).toBe(0);
      await b.engine.syncNow();
      const hit = b.store.lookup.caller('+49 30 3001199').contact;
      expect(hit).toMatchObject({ name: 'Kunde 1199', company: 'Firma 2', tenant: 'tischlerei' });
      expect(b.store.writer.version('contact', hit!.id, 'company')).toBe(a.store.writer.version('contact', hit!.id, 'company'));
      b.store.write(() => b.store.contacts.update(hit!.id, { company: 'Firma Neu' }));
      await b.engine.syncNow();
      await a.engine.syncNow();
      expect(a.store.contacts.get(hit!.id).company).toBe('Firma Neu');
      expect(a.store.sync.conflicts(10)).toEqual([]);
    } finally {
      for (const c of [a, b]) {
        await c.engine.stop();
        c.store.close();
      }
    }
  }, 60_000);

  it('business card with the real store: email edited offline at A, mobile added at B; both survive', async () => {
    const a = client('anna');
    const b = client('ben');
    try {
      const contact = a.store.write(() => a.store.contacts.create({ tenant: 'tischlerei', name: 'Frau Meier', phones: [] }));
      await a.engine.syncNow();
      await b.engine.syncNow();
      a.store.write(() => a.store.contacts.update(contact.id, { email: 'meier@example.de' }));
      b.store.write(() => b.store.contacts.addPhone(contact.id, 'mobile', '0170 5555555'));
      await b.engine.syncNow();
      await a.engine.syncNow();
      await b.engine.syncNow();
      for (const s of [a.store, b.store]) {
        const got = s.contacts.get(contact.id);
        expect(got.email).toBe('meier@example.de');
        expect(got.phones.map((p) => [p.kind, p.e164])).toEqual([['mobile', '+491705555555']]);
      }
      expect(a.store.sync.conflicts(10)).toEqual([]);
      expect(a.store.db.prepare(`SELECT name FROM tenant WHERE tenant_id = 'tischlerei'`).get()).toEqual({
        name: 'Tischlerei Holz',
      });
    } finally {
      for (const c of [a, b]) {
        await c.engine.stop();
        c.store.close();
      }
    }
  });
});
