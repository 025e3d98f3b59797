import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../protocol/sync-status.js';
import { tenantRecordId } from '../../../server/sync/directory-publisher.js';
import { BACKENDS, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

describe.each(BACKENDS)('sync engine against the real server on %s', (backend) => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('business card: A edits the email offline, B the mobile; both edits survive everywhere', async () => {
    const a = f.client('anna');
    const b = f.client('ben');
    const contact = randomUUID();
    const phone = randomUUID();
    a.store.write('contact', contact, 'tischlerei', 'name', 'Frau Meier');
    a.engine.start();
    b.engine.start();
    await a.engine.syncNow();
    await b.engine.syncNow();
    expect(b.store.get('contact', contact, 'name')).toBe('Frau Meier');

    // both offline: neither syncs while editing different fields of the same contact
    a.store.write('contact', contact, 'tischlerei', 'email', 'meier@example.de');
    b.store.write('contact_phone', phone, 'tischlerei', 'contact_id', contact);
    b.store.write('contact_phone', phone, 'tischlerei', 'kind', 'mobile');
    b.store.write('contact_phone', phone, 'tischlerei', 'number', '+49 170 5555');
    b.store.write('contact', contact, 'tischlerei', 'city', 'Berlin');
    await b.engine.syncNow();
    await a.engine.syncNow();
    await b.engine.syncNow();
    for (const s of [a.store, b.store]) {
      expect(s.get('contact', contact, 'email')).toBe('meier@example.de');
      expect(s.get('contact', contact, 'city')).toBe('Berlin');
      expect(s.get('contact_phone', phone, 'number')).toBe('+49 170 5555');
      expect(s.conflicts(10)).toEqual([]);
    }
  });

  it('learns its firms from the directory through the ordinary pull', async () => {
    const c = f.client('carl');
    c.engine.start();
    await c.engine.syncNow();
    expect(c.store.get('tenant', tenantRecordId('tischlerei'), 'name')).toBe('Tischlerei Holz');
    expect(c.store.get('tenant', tenantRecordId('sanitaer'), 'name')).toBeUndefined();
  });

  it('live: a note written by A appears at B within a second, without B asking', async () => {
    const a = f.client('anna');
    const b = f.client('carl', { live: true });
    b.engine.start();
    a.engine.start();
    await expect.poll(() => b.engine.status().live, { timeout: 5000 }).toBe(true);
    await b.engine.syncNow();
    const note = randomUUID();
    a.store.write('note', note, 'tischlerei', 'body', 'Rückruf wegen Treppe');
    const started = Date.now();
    a.engine.notifyLocalChange();
    await expect.poll(() => b.store.get('note', note, 'body'), { timeout: 3000, interval: 10 }).toBe('Rückruf wegen Treppe');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('records a conflict when a newer remote value overwrites a local edit, naming the author', async () => {
    const a = f.client('anna');
    const b = f.client('ben');
    const contact = randomUUID();
    a.engine.start();
    b.engine.start();
    a.store.write('contact', contact, 'tischlerei', 'email', 'old@example.de');
    await a.engine.syncNow();
    await b.engine.syncNow();
    a.store.write('contact', contact, 'tischlerei', 'email', 'anna@example.de');
    await new Promise((r) => setTimeout(r, 5));
    b.store.write('contact', contact, 'tischlerei', 'email', 'ben@example.de');
    await b.engine.syncNow();
    await a.engine.syncNow();
    expect(a.store.get('contact', contact, 'email')).toBe('ben@example.de');
    expect(a.engine.conflicts(10)).toEqual([
      expect.objectContaining({
        recordId: contact,
        field: 'email',
        lostValue: 'anna@example.de',
        winningValue: 'ben@example.de',
        author: 'ben',
      }),
    ]);
  });

  it('pushes a field edited several times offline once, with its newest value, and leaves no stale loser', async () => {
    const a = f.client('anna');
    const b = f.client('ben');
    const contact = randomUUID();
    for (const email of ['one@example.de', 'two@example.de', 'three@example.de'])
      a.store.write('contact', contact, 'tischlerei', 'email', email);
    expect(a.store.pendingCount()).toBe(3);
    a.engine.start();
    b.engine.start();
    await a.engine.syncNow();
    expect(a.engine.status()).toMatchObject({ state: 'online', pending: 0 });
    await b.engine.syncNow();
    expect(b.store.get('contact', contact, 'email')).toBe('three@example.de');
    // B overwrites later: A's edits were all accepted (none superseded), so this is no conflict at A
    b.store.write('contact', contact, 'tischlerei', 'email', 'ben@example.de');
    await b.engine.syncNow();
    await a.engine.syncNow();
    expect(a.store.get('contact', contact, 'email')).toBe('ben@example.de');
    expect(a.engine.conflicts(10).filter((c) => c.recordId === contact)).toEqual([]);
  });

  it('reports status: disabled without a certificate, then pending, syncing, online with a last sync time', async () => {
    const identity: { tls?: ReturnType<SyncFixture['tls']> } = {};
    const { store, engine } = f.client(() => identity.tls, { backoff: { baseMs: 20, maxMs: 50 } });
    const seen: SyncStatus[] = [];
    engine.onStatus((s) => seen.push(s));
    engine.start();
    await engine.syncNow();
    expect(engine.status()).toMatchObject({ state: 'disabled', lastError: null });
    expect(seen).toEqual([]);
    store.write('note', randomUUID(), 'tischlerei', 'body', 'x');
    engine.notifyLocalChange();
    expect(engine.status().pending).toBe(1);
    identity.tls = f.tls('carl');
    await engine.syncNow();
    expect(engine.status()).toMatchObject({
      state: 'online',
      pending: 0,
      lastError: null,
      lastSync: expect.any(String) as unknown,
    });
    expect(seen.map((s) => s.state)).toContain('syncing');
  });

  it('keeps changes refused for the caller (not in the directory) in the outbox and reports it', async () => {
    // mallory gets a certificate of the office CA but is not in the directory
    const { store, engine } = f.client('mallory');
    engine.start();
    store.write('note', randomUUID(), 'tischlerei', 'body', 'from someone IT has not entered yet');
    await engine.syncNow();
    // not the change's fault: no quarantine, it waits in the outbox for IT to fix the directory
    expect(engine.status()).toMatchObject({
      state: 'offline',
      pending: 1,
      quarantined: 0,
      lastError: { status: 403, code: 'unknown_user' },
    });
  });
});
