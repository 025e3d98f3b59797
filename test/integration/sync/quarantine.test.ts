import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../../electron/core/store/store.js';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import { MAX_VALUE_BYTES, type DirectoryMe } from '../../../protocol/index.js';
import { BACKENDS, TEST_DIRECTORY, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

/**
 * Changes the server refuses for good (400/403/413 naming them) leave the outbox for a quarantine:
 * kept with the reason, no longer retried, the rest of the outbox flows; the user retries or
 * discards them.
 */
describe.each(BACKENDS)('quarantine of refused changes against the real server on %s', (backend) => {
  let f: SyncFixture;
  const engines: SyncEngine[] = [];
  const stores: LocalStore[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-quarantine-'));
  const client = (user: string) => {
    const started = f.client(user);
    started.engine.start();
    return started;
  };
  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    for (const e of engines) await e.stop();
    for (const s of stores) s.close();
    rmSync(dir, { recursive: true, force: true });
    await f?.close();
  });

  it('quarantines a 403 change with its reason, pushes the rest, stops retrying, and syncs it after a retry once allowed', async () => {
    const carl = client('carl');
    const ben = client('ben');
    const refused = randomUUID();
    const fine = randomUUID();
    carl.store.write('note', refused, 'sanitaer', 'body', 'für die falsche Firma');
    carl.store.write('note', fine, 'tischlerei', 'body', 'Rückruf Tischlerei');
    await carl.engine.syncNow();
    expect(carl.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 1, lastError: null });
    expect(carl.engine.quarantined(10)).toEqual([
      expect.objectContaining({
        table: 'note',
        recordId: refused,
        tenant: 'sanitaer',
        field: 'body',
        value: 'für die falsche Firma',
        code: 'forbidden_tenant',
        status: 403,
        message: expect.stringContaining('sanitaer') as unknown,
      }),
    ]);
    await ben.engine.syncNow();
    expect(ben.store.get('note', fine, 'body')).toBe('Rückruf Tischlerei');
    expect(ben.store.get('note', refused, 'body')).toBeUndefined();

    // not retried: further cycles leave it where it is and stay online
    const [entry] = carl.engine.quarantined(10);
    await carl.engine.syncNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(carl.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 1, lastError: null });
    // the same quarantine entry: never put back and refused again behind the user's back
    expect(carl.engine.quarantined(10).map((q) => q.id)).toEqual([entry!.id]);
    expect(carl.store.get('note', refused, 'body')).toBe('für die falsche Firma');

    // a retry while still refused quarantines it again, with nothing lost
    expect(await carl.engine.retryQuarantined()).toMatchObject({ state: 'online', pending: 0, quarantined: 1 });

    // IT lets carl serve the firm: the retried change goes through
    f.home.writeDirectory({
      ...TEST_DIRECTORY,
      users: TEST_DIRECTORY.users.map((u) => (u.id === 'carl' ? { ...u, tenants: ['tischlerei', 'sanitaer'] } : u)),
    });
    try {
      await expect
        .poll(async () => (await carl.engine.retryQuarantined()).quarantined, { timeout: 10_000, interval: 200 })
        .toBe(0);
      await ben.engine.syncNow();
      expect(ben.store.get('note', refused, 'body')).toBe('für die falsche Firma');
    } finally {
      f.home.writeDirectory(TEST_DIRECTORY);
    }
  });

  it('quarantines a 413 value, discards it on request, and keeps the local value', async () => {
    const anna = client('anna');
    const big = randomUUID();
    const text = 'x'.repeat(MAX_VALUE_BYTES + 10);
    anna.store.write('note', big, 'tischlerei', 'body', text);
    await anna.engine.syncNow();
    expect(anna.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 1 });
    expect(anna.engine.quarantined(10)[0]).toMatchObject({ code: 'value_too_large', status: 413, recordId: big });
    expect(anna.engine.discardQuarantined().quarantined).toBe(0);
    expect(anna.engine.quarantined(10)).toEqual([]);
    expect(anna.store.get('note', big, 'body')).toBe(text);
  });

  it('a batch too large as a whole is split, not quarantined', async () => {
    const anna = client('anna');
    const ids = Array.from({ length: 70 }, () => randomUUID());
    for (const id of ids) anna.store.write('note', id, 'tischlerei', 'body', 'y'.repeat(60_000));
    await anna.engine.syncNow();
    expect(anna.engine.status()).toMatchObject({ state: 'online', pending: 0, quarantined: 0 });
    const ben = client('ben');
    await ben.engine.syncNow();
    for (const id of ids) expect(ben.store.get('note', id, 'body')).toHaveLength(60_000);
  });

  it('a newer value of a quarantined field pulled from a colleague becomes a conflict in the real store, and a retry sends nothing', async () => {
    // carl's access to the plumbing firm is withdrawn while he edits its customer, then restored
    const serveSanitaer = async (allowed: boolean) => {
      const tenants = allowed ? ['tischlerei', 'sanitaer'] : ['tischlerei'];
      f.home.writeDirectory({
        ...TEST_DIRECTORY,
        users: TEST_DIRECTORY.users.map((u) => (u.id === 'carl' ? { ...u, tenants } : u)),
      });
      await expect
        .poll(async () => ((await rawRequest(f.url, f.tls('carl'), 'GET', '/directory/me')).json as DirectoryMe).user.tenants, {
          timeout: 10_000,
          interval: 100,
        })
        .toEqual(tenants);
    };
    const store = LocalStore.open(join(dir, `${backend}-carl.db`));
    stores.push(store);
    const engine = new SyncEngine({ store: store.sync, serverUrl: f.url, tls: () => f.tls('carl'), live: false });
    engines.push(engine);
    engine.start();
    const anna = client('anna');
    const id = randomUUID();
    try {
      anna.store.write('contact', id, 'sanitaer', 'name', 'Erika Eiche');
      await anna.engine.syncNow();
      await serveSanitaer(true);
      await engine.syncNow();
      expect(store.contacts.get(id).name).toBe('Erika Eiche');

      await serveSanitaer(false);
      store.contacts.update(id, { city: 'Potsdam' });
      expect(await engine.syncNow()).toMatchObject({ state: 'online', pending: 0, quarantined: 1 });
      expect(engine.quarantined(10)).toMatchObject([{ field: 'city', value: 'Potsdam', code: 'forbidden_tenant' }]);

      // anna, still serving the firm, writes the city later than carl
      anna.store.write('contact', id, 'sanitaer', 'city', 'Werder (Havel)');
      await anna.engine.syncNow();
      expect(anna.engine.status()).toMatchObject({ pending: 0, quarantined: 0 });

      await serveSanitaer(true);
      expect(await engine.syncNow()).toMatchObject({ state: 'online', pending: 0, quarantined: 0 });
      expect(store.contacts.get(id).city).toBe('Werder (Havel)');
      expect(engine.conflicts(10)).toMatchObject([
        { recordId: id, field: 'city', lostValue: 'Potsdam', winningValue: 'Werder (Havel)', author: 'anna' },
      ]);
      // nothing left to retry: the refused value that lost is never sent again
      expect(await engine.retryQuarantined()).toMatchObject({ state: 'online', pending: 0, quarantined: 0 });
      await anna.engine.syncNow();
      expect(anna.store.get('contact', id, 'city')).toBe('Werder (Havel)');
    } finally {
      f.home.writeDirectory(TEST_DIRECTORY);
    }
  });
});
