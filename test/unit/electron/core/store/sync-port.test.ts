import { describe, expect, it } from 'vitest';
import { formatVersion, type PulledChange } from '../../../../../protocol/index.js';
import { tenantRecordId } from '../../../../../electron/core/store/lookup.js';
import { openStore } from '../../../../helpers/unit-store.js';

const REMOTE = 'aaaaaaaaaaaaaaaa';
const future = (offsetMs: number, counter = 0) => formatVersion(Date.now() + offsetMs, counter, REMOTE);
function pulled(change: Omit<PulledChange, 'author'> & { author?: string }): PulledChange {
  return { author: 'gabi', ...change };
}

describe('SyncStorePort', () => {
  it('hands out pending changes in write order and forgets acknowledged ones', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', company: 'A GmbH', phones: [] });
    const pending = store.sync.pendingChanges(10);
    expect(pending.map((p) => [p.change.field, p.change.value])).toEqual([
      ['name', 'Anna'],
      ['company', 'A GmbH'],
    ]);
    expect(pending[0]!.change).toMatchObject({ table: 'contact', id: c.id, tenant: 't1' });
    expect(pending[0]!.change.version < pending[1]!.change.version).toBe(true);
    store.sync.acknowledge([{ outboxId: pending[0]!.outboxId, status: 'applied' }]);
    expect(store.sync.pendingChanges(10).map((p) => p.change.field)).toEqual(['company']);
  });

  it('quarantines refused outbox entries with their reason, requeues them at the end, or discards them', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', company: 'A GmbH', phones: [] });
    const [name, company] = store.sync.pendingChanges(10);
    store.sync.quarantine([name!.outboxId], { code: 'forbidden_tenant', message: 't1: you may not', status: 403 });
    expect(store.sync.pendingCount()).toBe(1);
    expect(store.sync.quarantinedCount()).toBe(1);
    const [q] = store.sync.quarantined(10);
    expect(q).toMatchObject({ change: name!.change, code: 'forbidden_tenant', message: 't1: you may not', status: 403 });
    store.contacts.update(c.id, { city: 'Berlin' });
    expect(store.sync.requeueQuarantined([q!.id])).toBe(1);
    // back behind the newer local edits, same value and version
    expect(store.sync.pendingChanges(10).map((p) => p.change.field)).toEqual(['company', 'city', 'name']);
    expect(store.sync.pendingChanges(10)[2]!.change).toEqual(name!.change);
    store.sync.quarantine([company!.outboxId], { code: 'value_too_large', message: 'm', status: 413 });
    expect(store.sync.discardQuarantined()).toBe(1);
    expect(store.sync.quarantinedCount()).toBe(0);
    expect(store.contacts.get(c.id)?.company).toBe('A GmbH');
  });

  it('applies pulled fields only when newer, stores the cursor, and creates unknown records', () => {
    const { store, changes } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', phones: [] });
    const localVersion = store.sync.pendingChanges(1)[0]!.change.version;
    const older = formatVersion(1_000, 0, REMOTE);
    const phoneId = '01900000-0000-7000-8000-000000000001';
    const newContact = '01900000-0000-7000-8000-000000000002';
    const v3 = future(1000, 3);
    const result = store.sync.applyPulled(
      [
        pulled({ table: 'contact', id: c.id, tenant: 't1', field: 'name', value: 'Old', version: older }),
        pulled({ table: 'contact', id: c.id, tenant: 't1', field: 'company', value: 'Neu AG', version: future(1000) }),
        // A phone before its contact: no foreign key stops it, and lookup finds it once the contact exists.
        pulled({
          table: 'contact_phone',
          id: phoneId,
          tenant: 't1',
          field: 'contact_id',
          value: newContact,
          version: future(1000, 1),
        }),
        pulled({
          table: 'contact_phone',
          id: phoneId,
          tenant: 't1',
          field: 'number',
          value: '030 9998887',
          version: future(1000, 2),
        }),
        pulled({ table: 'contact', id: newContact, tenant: 't1', field: 'name', value: 'Fritz Füller', version: v3 }),
      ],
      '42',
    );
    expect(result).toEqual({ applied: 4, conflicts: 0 });
    expect(store.sync.cursor()).toBe('42');
    expect(store.contacts.get(c.id)).toMatchObject({ name: 'Anna', company: 'Neu AG' });
    expect(store.writer.version('contact', c.id, 'name')).toBe(localVersion);
    expect(store.lookup.caller('+49 30 9998887').contact?.name).toBe('Fritz Füller');
    expect(store.writer.search.search('fuller', undefined, 5).map((h) => h.id)).toEqual([newContact]);
    expect(changes.some((ch) => ch.source === 'sync' && ch.table === 'contact')).toBe(true);
    // The clock moved past what it saw: the next local write sorts after the pulled versions.
    store.contacts.update(c.id, { city: 'Berlin' });
    const last = store.sync.pendingChanges(10).at(-1)!.change;
    expect(last.field).toBe('city');
    expect(last.version > v3).toBe(true);
  });

  it('records a conflict when a pending or superseded local edit loses, naming the author', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', phones: [] });
    store.contacts.update(c.id, { city: 'Köln', street: 'Hauptstr. 1' });
    const pending = store.sync.pendingChanges(10);
    const street = pending.find((p) => p.change.field === 'street')!;
    // The server refused the street as superseded; the city is still pending when the pull comes.
    store.sync.acknowledge([{ outboxId: street.outboxId, status: 'superseded' }]);
    const result = store.sync.applyPulled(
      [
        pulled({ table: 'contact', id: c.id, tenant: 't1', field: 'city', value: 'Bonn', version: future(5000), author: 'gabi' }),
        pulled({
          table: 'contact',
          id: c.id,
          tenant: 't1',
          field: 'street',
          value: 'Ring 2',
          version: future(5000, 1),
          author: 'otto',
        }),
      ],
      '7',
    );
    expect(result).toEqual({ applied: 2, conflicts: 2 });
    const conflicts = store.sync.conflicts(10);
    expect(conflicts.map((k) => [k.field, k.lostValue, k.winningValue, k.author])).toEqual([
      ['street', 'Hauptstr. 1', 'Ring 2', 'otto'],
      ['city', 'Köln', 'Bonn', 'gabi'],
    ]);
    expect(store.contacts.get(c.id)).toMatchObject({ city: 'Bonn', street: 'Ring 2' });
    // The losing city edit is no longer pushed.
    expect(store.sync.pendingChanges(10).map((p) => p.change.field)).not.toContain('city');
  });

  it('a newer pulled value of a quarantined field records the conflict and ends the quarantine entry', () => {
    const { store, file } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', phones: [] });
    store.contacts.update(c.id, { city: 'Köln', street: 'Hauptstr. 1', email: 'anna@example.org' });
    const [name, ...refused] = store.sync.pendingChanges(10);
    expect(refused.map((p) => p.change.field)).toEqual(['city', 'street', 'email']);
    store.sync.acknowledge([{ outboxId: name!.outboxId, status: 'applied' }]);
    store.sync.quarantine(
      refused.map((p) => p.outboxId),
      { code: 'forbidden_tenant', message: 't1: you may not', status: 403 },
    );
    expect(store.sync.quarantinedCount()).toBe(3);
    const cityVersion = store.writer.version('contact', c.id, 'city')!;
    const winning = future(5000);

    const result = store.sync.applyPulled(
      [
        // newer and different: the user's refused city is gone, so she must learn it
        pulled({ table: 'contact', id: c.id, tenant: 't1', field: 'city', value: 'Bonn', version: winning, author: 'otto' }),
        // newer but the same value: nothing was lost, and nothing is left to send
        pulled({ table: 'contact', id: c.id, tenant: 't1', field: 'street', value: 'Hauptstr. 1', version: future(5000, 1) }),
        // older than the refused email: it neither wins nor touches the quarantine
        pulled({
          table: 'contact',
          id: c.id,
          tenant: 't1',
          field: 'email',
          value: 'alt@example.org',
          version: formatVersion(1_000, 0, REMOTE),
        }),
      ],
      '8',
    );
    expect(result).toEqual({ applied: 2, conflicts: 1 });
    expect(store.sync.conflicts(10)).toMatchObject([
      { field: 'city', lostValue: 'Köln', winningValue: 'Bonn', author: 'otto', winningVersion: winning },
    ]);
    expect(store.contacts.get(c.id)).toMatchObject({ city: 'Bonn', street: 'Hauptstr. 1', email: 'anna@example.org' });
    expect(store.writer.version('contact', c.id, 'city')).toBe(winning);
    expect(winning > cityVersion).toBe(true);
    expect(store.sync.quarantined(10).map((q) => [q.change.field, q.change.value])).toEqual([['email', 'anna@example.org']]);

    // A retry of the whole quarantine sends only the email: the lost city can never travel again.
    expect(store.sync.requeueQuarantined()).toBe(1);
    expect(store.sync.pendingChanges(10).map((p) => [p.change.field, p.change.value])).toEqual([['email', 'anna@example.org']]);

    // Kept on disk: a reopened store still has the conflict and no city to send.
    store.close();
    const reopened = openStore(file).store;
    expect(reopened.sync.conflicts(10).map((k) => [k.field, k.lostValue, k.author])).toEqual([['city', 'Köln', 'otto']]);
    expect(reopened.sync.quarantinedCount()).toBe(0);
    expect(reopened.sync.pendingChanges(10).map((p) => p.change.field)).toEqual(['email']);
  });

  it('keeps the cursor and the data together: a failing page changes neither', () => {
    const { store } = openStore();
    const id = '01900000-0000-7000-8000-000000000003';
    store.sync.applyPulled(
      [pulled({ table: 'contact', id, tenant: 't1', field: 'name', value: 'Erst', version: future(0) })],
      '1',
    );
    // Fail in the middle of the page: the first change of it must not stay applied.
    store.db.exec('DROP TABLE appointment');
    const apptId = '01900000-0000-7000-8000-000000000004';
    expect(() =>
      store.sync.applyPulled(
        [
          pulled({ table: 'contact', id, tenant: 't1', field: 'name', value: 'Zweit', version: future(10) }),
          pulled({ table: 'appointment', id: apptId, tenant: 't1', field: 'place', value: 'Werkstatt', version: future(10, 1) }),
        ],
        '2',
      ),
    ).toThrow(/no such table/);
    expect(store.sync.cursor()).toBe('1');
    expect(store.contacts.get(id).name).toBe('Erst');
  });

  it('skips malformed pulled changes instead of storing them', () => {
    const { store } = openStore();
    const id = '01900000-0000-7000-8000-000000000005';
    const result = store.sync.applyPulled(
      [
        pulled({ table: 'contact', id, tenant: 't1', field: 'name', value: 'Gut', version: future(0) }),
        pulled({ table: 'contact', id, tenant: 't1', field: 'notes', value: 'x', version: 'broken' }),
        pulled({ table: 'contact', id, tenant: 't1', field: 'rowid', value: 1, version: future(0, 1) }),
        {
          ...pulled({ table: 'contact', id, tenant: 't1', field: 'city', value: 'Y', version: future(0, 2) }),
          tenant: 'Bad Tenant!',
        },
      ],
      '9',
    );
    expect(result).toEqual({ applied: 1, conflicts: 0 });
    expect(store.sync.cursor()).toBe('9');
    expect(store.contacts.get(id)).toMatchObject({ name: 'Gut', notes: null, city: null });
  });

  it('updates the dialled-number lookup from a pulled tenant record', () => {
    const { store } = openStore();
    const id = tenantRecordId('glaserei');
    store.sync.applyPulled(
      [
        pulled({ table: 'tenant', id, tenant: 'glaserei', field: 'name', value: 'Glaserei Klar', version: future(0) }),
        pulled({ table: 'tenant', id, tenant: 'glaserei', field: 'numbers', value: ['+49 40 5550300'], version: future(0, 1) }),
      ],
      '3',
    );
    expect(store.lookup.tenantByNumber('040 5550300')?.name).toBe('Glaserei Klar');
    store.sync.applyPulled(
      [pulled({ table: 'tenant', id, tenant: 'glaserei', field: 'numbers', value: ['+49 40 5550399'], version: future(0, 2) })],
      '4',
    );
    expect(store.lookup.tenantByNumber('040 5550300')).toBeNull();
    expect(store.lookup.tenantByNumber('040 5550399')?.tenant).toBe('glaserei');
    // Directory data never overrides a synced field.
    store.lookup.seedTenants([{ id: 'glaserei', name: 'Alter Name', numbers: [] }]);
    expect(store.lookup.tenants()).toMatchObject([{ name: 'Glaserei Klar', numbers: ['+49 40 5550399'] }]);
  });
  it('keeps a pulled firm schedule in its own table, each part as the JSON text it synced as', () => {
    const { store, changes } = openStore();
    const id = '3c6d1f0e-0000-5000-8000-000000000001';
    const override = JSON.stringify({ mode: 'closed', until: null });
    store.sync.applyPulled(
      [
        pulled({ table: 'firm_schedule', id, tenant: 'glaserei', field: 'bundesland', value: '"HH"', version: future(0) }),
        pulled({ table: 'firm_schedule', id, tenant: 'glaserei', field: 'override', value: override, version: future(0, 1) }),
      ],
      '5',
    );
    expect(
      store.db.prepare('SELECT tenant_id, bundesland, override, consultation FROM firm_schedule WHERE id = ?').get(id),
    ).toEqual({
      tenant_id: 'glaserei',
      bundesland: '"HH"',
      override,
      consultation: null,
    });
    expect(changes).toContainEqual({ table: 'firm_schedule', ids: [id], source: 'sync' });
  });
});
