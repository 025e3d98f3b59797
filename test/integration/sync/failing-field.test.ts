import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../../electron/core/store/store.js';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import { BACKENDS, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

const POISON = '💥 daran scheitert der Server';

/**
 * A field the server neither stores nor refuses (its handler fails with 500 for it) must not block
 * the outbox: after repeated server errors the client narrows its batches down to that field,
 * quarantines it with the server's answer and lets everything else flow. The fault is real: a
 * trigger in the server's own database raises for one value, so the push handler fails as it would
 * on a bug.
 */
describe.each(BACKENDS)('a field the server keeps failing on, on %s', (backend) => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await syncFixture(backend);
    await f.server.db.query(`
      CREATE FUNCTION fail_on_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.value = to_jsonb('${POISON}'::text) THEN RAISE EXCEPTION 'injected fault for one value'; END IF;
        RETURN NEW;
      END $$`);
    await f.server.db.query(
      'CREATE TRIGGER fail_on_poison BEFORE INSERT OR UPDATE ON field_state FOR EACH ROW EXECUTE FUNCTION fail_on_poison()',
    );
  });
  afterAll(async () => {
    await f?.close();
  });

  it('narrows the batch down to that field, quarantines it with the 500 answer and delivers the others', async () => {
    const anna = f.client('anna');
    const ben = f.client('ben');
    const before = Array.from({ length: 7 }, () => randomUUID());
    const after = Array.from({ length: 6 }, () => randomUUID());
    const poisoned = randomUUID();
    for (const id of before) anna.store.write('note', id, 'tischlerei', 'body', `vorher ${id}`);
    anna.store.write('note', poisoned, 'tischlerei', 'subject', 'Betreff geht durch');
    anna.store.write('note', poisoned, 'tischlerei', 'body', POISON);
    for (const id of after) anna.store.write('note', id, 'tischlerei', 'body', `nachher ${id}`);
    anna.engine.start();
    ben.engine.start();
    await anna.engine.syncNow();
    await expect
      .poll(() => anna.engine.status(), { timeout: 15_000, interval: 50 })
      .toMatchObject({
        state: 'online',
        pending: 0,
        quarantined: 1,
        lastError: null,
      });
    expect(anna.engine.quarantined(10)).toEqual([
      expect.objectContaining({ recordId: poisoned, field: 'body', value: POISON, code: 'internal', status: 500 }),
    ]);
    await ben.engine.syncNow();
    for (const id of before) expect(ben.store.get('note', id, 'body')).toBe(`vorher ${id}`);
    for (const id of after) expect(ben.store.get('note', id, 'body')).toBe(`nachher ${id}`);
    expect(ben.store.get('note', poisoned, 'subject')).toBe('Betreff geht durch');
    expect(ben.store.get('note', poisoned, 'body')).toBeUndefined();

    // later edits flow at once, with the full batch size again
    const later = randomUUID();
    anna.store.write('note', later, 'tischlerei', 'body', 'später');
    expect(await anna.engine.syncNow()).toMatchObject({ state: 'online', pending: 0, quarantined: 1 });
    await ben.engine.syncNow();
    expect(ben.store.get('note', later, 'body')).toBe('später');
  });

  it("isolates one field of an imported record in the app's own store, and delivers the record's other fields", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-failing-field-'));
    const store = LocalStore.open(join(dir, 'vermittlung.db'), { importInWorker: false });
    const engine = new SyncEngine({
      store: store.sync,
      serverUrl: f.url,
      tls: () => f.tls('anna'),
      live: false,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    try {
      // one outbox entry per imported contact stands for all its fields (docs/store.md)
      const rows = Array.from({ length: 6 }, (_, i) => `Kunde ${i},Firma ${i},${i === 3 ? POISON : `Notiz ${i}`}`);
      const report = await store.import({
        tenant: 'tischlerei',
        format: 'csv',
        csvProfile: 'generic',
        text: `name,company,notes\n${rows.join('\n')}\n`,
      });
      expect(report).toMatchObject({ imported: 6, failed: 0 });
      engine.start();
      await engine.syncNow();
      await expect
        .poll(() => engine.status(), { timeout: 15_000, interval: 50 })
        .toMatchObject({
          state: 'online',
          pending: 0,
          quarantined: 1,
        });
      expect(engine.quarantined(10)).toEqual([expect.objectContaining({ field: 'notes', value: POISON, status: 500 })]);
      const poisoned = engine.quarantined(10)[0]!.recordId;
      const ben = f.client('ben');
      ben.engine.start();
      await ben.engine.syncNow();
      expect(ben.store.get('contact', poisoned, 'name')).toBe('Kunde 3');
      expect(ben.store.get('contact', poisoned, 'company')).toBe('Firma 3');
      expect(ben.store.get('contact', poisoned, 'notes')).toBeUndefined();
      expect(ben.store.snapshot((t) => t === 'contact')).toSatisfy((all: Record<string, { value: unknown }>) =>
        [0, 1, 2, 4, 5].every((i) => Object.values(all).some((v) => v.value === `Notiz ${i}`)),
      );
    } finally {
      await engine.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quarantines nothing while the server fails on everything, and delivers all once it recovers', async () => {
    const carl = f.client('carl');
    const ids = Array.from({ length: 4 }, () => randomUUID());
    for (const id of ids) carl.store.write('note', id, 'tischlerei', 'body', `während der Störung ${id}`);
    // pushes and pulls both fail with 500: the table they use is gone for a while
    await f.server.db.query('ALTER TABLE field_state RENAME TO field_state_away');
    try {
      carl.engine.start();
      await carl.engine.syncNow();
      // many cycles, far beyond the narrowing threshold
      await new Promise((r) => setTimeout(r, 1500));
      expect(carl.engine.status()).toMatchObject({ state: 'offline', pending: 4, quarantined: 0 });
      expect(carl.engine.status().lastError).toMatchObject({ status: 500 });
    } finally {
      await f.server.db.query('ALTER TABLE field_state_away RENAME TO field_state');
    }
    await expect
      .poll(() => carl.engine.status(), { timeout: 10_000, interval: 50 })
      .toMatchObject({
        state: 'online',
        pending: 0,
        quarantined: 0,
      });
  });
});
