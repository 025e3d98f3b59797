import { describe, expect, it } from 'vitest';
import { formatVersion, SYNC_FIELDS, type PulledChange } from '../../../../../protocol/index.js';
import {
  companionPartId,
  fromPartId,
  MAX_COMPANIONS,
  ownPartId,
  PART_ID_LIMITS,
} from '../../../../../electron/core/store/record-entry.js';
import { openStore } from '../../../../helpers/unit-store.js';

const REMOTE = 'bbbbbbbbbbbbbbbb';
const later = (offsetMs: number) => formatVersion(Date.now() + offsetMs, 0, REMOTE);
const text = 'name,company,email,phone\nAnna Alt,Alt GmbH,anna@example.org,030 1234567\nBernd Bau,,,\n';

/** An imported store: one outbox entry per record (field '*'), no per-field versions. */
async function imported() {
  const { store, file } = openStore(undefined, { importInWorker: false });
  const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text });
  expect(report).toMatchObject({ imported: 2, failed: 0 });
  const anna = store.contacts.list('t1', 0, 10).items.find((c) => c.name === 'Anna Alt')!;
  return { store, file, anna };
}

describe('part ids of record entries', () => {
  it('decode to what they were made of at the edges of their ranges, and the ranges hold today’s fields', () => {
    const { FIELD_SLOTS, COMPANION_SLOTS, COMPANION_FIELDS, COMPANION_BASE } = PART_ID_LIMITS;
    for (const fields of Object.values(SYNC_FIELDS)) expect(fields.length).toBeLessThan(FIELD_SLOTS);
    expect(SYNC_FIELDS.contact_phone.length).toBeLessThanOrEqual(COMPANION_FIELDS);
    expect(MAX_COMPANIONS * COMPANION_FIELDS).toBeLessThanOrEqual(COMPANION_SLOTS);
    // The largest entry row id whose ids stay exact doubles: ~1.7e13 rows, far beyond any outbox.
    const maxRow = Math.floor((Number.MAX_SAFE_INTEGER - COMPANION_BASE) / COMPANION_SLOTS) - 1;
    for (const row of [1, 12_345, maxRow]) {
      for (const index of [0, SYNC_FIELDS.contact.length - 1])
        expect(fromPartId(ownPartId(row, index))).toEqual({ rowId: row, index });
      for (const slot of [0, MAX_COMPANIONS - 1])
        for (const index of [0, COMPANION_FIELDS - 1])
          expect(fromPartId(companionPartId(row, slot, index))).toEqual({ rowId: row, slot, index });
      // Own fields' ids stay below the companions' range for every row that range allows.
      expect(-ownPartId(row, FIELD_SLOTS - 1)).toBeLessThan(COMPANION_BASE);
    }
  });
});

describe('record entries of an import in the sync port', () => {
  it('writes one entry per contact, its phones inside, and hands out one change per field with that version', async () => {
    const { store, anna } = await imported();
    const entries = store.db.prepare('SELECT tbl, field, n FROM outbox ORDER BY id').all();
    expect(entries).toEqual([
      { tbl: 'contact', field: '*', n: 6 },
      { tbl: 'contact', field: '*', n: 1 },
    ]);
    expect(store.db.prepare('SELECT count(*) FROM field_version').pluck().get()).toBe(0);
    expect(store.sync.pendingCount()).toBe(7);
    const pending = store.sync.pendingChanges(100);
    const phone = anna.phones[0]!;
    expect(pending.map((p) => `${p.change.table}.${p.change.field}=${String(p.change.value)}`)).toEqual([
      'contact.name=Anna Alt',
      'contact.company=Alt GmbH',
      'contact.email=anna@example.org',
      `contact_phone.contact_id=${anna.id}`,
      'contact_phone.kind=work',
      'contact_phone.number=030 1234567',
      'contact.name=Bernd Bau',
    ]);
    expect(pending.slice(3, 6).map((p) => p.change.id)).toEqual([phone.id, phone.id, phone.id]);
    // Distinct ids for the engine; one version for the contact and its numbers, and that is the
    // version the store answers for each of their fields.
    expect(new Set(pending.map((p) => p.outboxId)).size).toBe(7);
    expect(new Set(pending.slice(0, 6).map((p) => p.change.version)).size).toBe(1);
    expect(store.writer.version('contact', anna.id, 'company')).toBe(pending[1]!.change.version);
    expect(store.writer.version('contact_phone', phone.id, 'number')).toBe(pending[1]!.change.version);
    // A limit cuts inside a record or among its phones; the rest of it comes next.
    expect(store.sync.pendingChanges(2).map((p) => p.change.field)).toEqual(['name', 'company']);
    const first4 = store.sync.pendingChanges(4);
    store.sync.acknowledge(first4.map((p) => ({ outboxId: p.outboxId, status: 'applied' as const })));
    expect(store.sync.pendingChanges(10).map((p) => `${p.change.table}.${p.change.field}`)).toEqual([
      'contact_phone.kind',
      'contact_phone.number',
      'contact.name',
    ]);
    expect(store.sync.pendingCount()).toBe(3);
  });

  it('acknowledges field by field: the entry shrinks, then goes; a superseded field is remembered', async () => {
    const { store } = await imported();
    const [name, company, email, contactId, kind, number] = store.sync.pendingChanges(6);
    store.sync.acknowledge([
      { outboxId: name!.outboxId, status: 'applied' },
      { outboxId: company!.outboxId, status: 'superseded' },
      { outboxId: number!.outboxId, status: 'superseded' },
    ]);
    expect(store.sync.pendingCount()).toBe(4);
    expect(store.sync.pendingChanges(1)[0]).toEqual(email);
    expect(store.db.prepare('SELECT tbl, record_id, field, value FROM superseded ORDER BY tbl').all()).toEqual([
      { tbl: 'contact', record_id: name!.change.id, field: 'company', value: '"Alt GmbH"' },
      { tbl: 'contact_phone', record_id: number!.change.id, field: 'number', value: '"030 1234567"' },
    ]);
    // Acknowledging the same part twice (a retried push) changes nothing.
    store.sync.acknowledge([{ outboxId: name!.outboxId, status: 'applied' }]);
    store.sync.acknowledge([{ outboxId: email!.outboxId, status: 'applied' }]);
    expect(store.sync.pendingCount()).toBe(3);
    // The contact's own fields are gone, its phone's are not: the entry stays for them.
    expect(store.sync.pendingChanges(2).map((p) => p.change)).toEqual([contactId!.change, kind!.change]);
    store.sync.acknowledge([contactId!, kind!].map((p) => ({ outboxId: p.outboxId, status: 'applied' as const })));
    expect(
      store.db.prepare("SELECT count(*) FROM outbox WHERE tbl = 'contact' AND record_id = ?").pluck().get(name!.change.id),
    ).toBe(0);
    expect(store.sync.pendingCount()).toBe(1);
  });

  it('quarantines a phone field carried by its contact entry as that phone record', async () => {
    const { store, anna } = await imported();
    const number = store.sync.pendingChanges(6)[5]!;
    store.sync.quarantine([number.outboxId], { code: 'value_too_large', message: 'too big', status: 413 });
    expect(store.sync.quarantined(10)).toMatchObject([
      { change: { table: 'contact_phone', id: anna.phones[0]!.id, field: 'number', value: '030 1234567' } },
    ]);
    expect(store.sync.pendingCount()).toBe(6);
    expect(store.sync.pendingChanges(10).some((p) => p.change.field === 'number')).toBe(false);
    expect(store.sync.requeueQuarantined()).toBe(1);
    expect(store.sync.pendingChanges(10).at(-1)!.change).toEqual(number.change);
  });

  it("a newer pulled value of an imported phone wins, leaves its contact's entry and records the conflict", async () => {
    const { store, anna } = await imported();
    const phone = anna.phones[0]!;
    const change: PulledChange = {
      table: 'contact_phone',
      id: phone.id,
      tenant: 't1',
      field: 'number',
      value: '030 7654321',
      version: later(60_000),
      author: 'gabi',
    };
    expect(store.sync.applyPulled([change], '1')).toEqual({ applied: 1, conflicts: 1 });
    expect(store.contacts.get(anna.id).phones.map((p) => p.number)).toEqual(['030 7654321']);
    expect(store.sync.conflicts(5)).toMatchObject([
      { table: 'contact_phone', recordId: phone.id, field: 'number', lostValue: '030 1234567', winningValue: '030 7654321' },
    ]);
    expect(
      store.sync
        .pendingChanges(10)
        .filter((p) => p.change.id === phone.id)
        .map((p) => p.change.field),
    ).toEqual(['contact_id', 'kind']);
    expect(store.sync.pendingCount()).toBe(6);
    // An older pulled value loses against the version the phone shares with its contact.
    const older = { ...change, field: 'kind', value: 'home', version: formatVersion(1_000, 0, REMOTE) };
    expect(store.sync.applyPulled([older], '2')).toEqual({ applied: 0, conflicts: 0 });
    expect(store.contacts.get(anna.id).phones[0]!.kind).toBe('work');
  });

  it('still reads a phone entry of its own, as imports wrote them before companions', async () => {
    const { store, anna } = await imported();
    const phone = anna.phones[0]!;
    // The shape before: the contact's entry without its phone, the phone with an entry of its own.
    const entry = store.db.prepare("SELECT id, value FROM outbox WHERE record_id = ? AND field = '*'").get(anna.id) as {
      id: number;
      value: string;
    };
    const { ['+contact_phone']: companions, ...own } = JSON.parse(entry.value) as Record<string, unknown>;
    expect(companions).toEqual([[phone.id, { contact_id: anna.id, kind: 'work', number: '030 1234567' }]]);
    store.db.prepare('UPDATE outbox SET value = ?, n = 3 WHERE id = ?').run(JSON.stringify(own), entry.id);
    store.db
      .prepare(
        "INSERT INTO outbox(tbl, record_id, tenant_id, field, value, version, n) VALUES ('contact_phone', ?, 't1', '*', ?, ?, 3)",
      )
      .run(phone.id, JSON.stringify({ contact_id: anna.id, kind: 'work', number: '030 1234567' }), later(-60_000));
    expect(store.sync.pendingCount()).toBe(7);
    const pending = store.sync.pendingChanges(10).filter((p) => p.change.id === phone.id);
    expect(pending.map((p) => p.change.field)).toEqual(['contact_id', 'kind', 'number']);
    store.sync.acknowledge([{ outboxId: pending[0]!.outboxId, status: 'applied' }]);
    const change: PulledChange = {
      table: 'contact_phone',
      id: phone.id,
      tenant: 't1',
      field: 'number',
      value: '030 999',
      version: later(60_000),
      author: 'gabi',
    };
    expect(store.sync.applyPulled([change], '1')).toEqual({ applied: 1, conflicts: 1 });
    expect(
      store.sync
        .pendingChanges(10)
        .filter((p) => p.change.id === phone.id)
        .map((p) => p.change.field),
    ).toEqual(['kind']);
  });

  it('quarantines one field of a record entry and keeps the others pending', async () => {
    const { store } = await imported();
    const email = store.sync.pendingChanges(3)[2]!;
    store.sync.quarantine([email.outboxId], { code: 'value_too_large', message: 'too big', status: 413 });
    expect(store.sync.quarantined(10)).toMatchObject([{ change: email.change, code: 'value_too_large' }]);
    expect(
      store.sync
        .pendingChanges(10)
        .map((p) => p.change.field)
        .slice(0, 2),
    ).toEqual(['name', 'company']);
    expect(store.sync.pendingCount()).toBe(6);
    expect(store.sync.requeueQuarantined()).toBe(1);
    expect(store.sync.pendingChanges(10).at(-1)!.change).toEqual(email.change);
  });

  it('a newer pulled value of an imported field wins, drops it from the entry and records the conflict', async () => {
    const { store, anna } = await imported();
    const change: PulledChange = {
      table: 'contact',
      id: anna.id,
      tenant: 't1',
      field: 'company',
      value: 'Neu AG',
      version: later(60_000),
      author: 'gabi',
    };
    expect(store.sync.applyPulled([change], '1')).toEqual({ applied: 1, conflicts: 1 });
    expect(store.contacts.get(anna.id).company).toBe('Neu AG');
    expect(store.sync.conflicts(5)).toMatchObject([{ field: 'company', lostValue: 'Alt GmbH', winningValue: 'Neu AG' }]);
    expect(
      store.sync
        .pendingChanges(10)
        .filter((p) => p.change.id === anna.id)
        .map((p) => p.change.field),
    ).toEqual(['name', 'email']);
    // An older pulled value loses against the record version.
    const older = { ...change, field: 'name', value: 'Uralt', version: formatVersion(1_000, 0, REMOTE) };
    expect(store.sync.applyPulled([older], '2')).toEqual({ applied: 0, conflicts: 0 });
    expect(store.contacts.get(anna.id).name).toBe('Anna Alt');
  });

  it('a newer pulled value of a quarantined imported field records the conflict and ends the quarantine', async () => {
    const { store, anna } = await imported();
    const email = store.sync.pendingChanges(3)[2]!;
    store.sync.quarantine([email.outboxId], { code: 'value_too_large', message: 'too big', status: 413 });
    const change: PulledChange = {
      table: 'contact',
      id: anna.id,
      tenant: 't1',
      field: 'email',
      value: 'anna@neu.example',
      version: later(60_000),
      author: 'gabi',
    };
    expect(store.sync.applyPulled([change], '1')).toEqual({ applied: 1, conflicts: 1 });
    expect(store.sync.conflicts(5)).toMatchObject([
      { field: 'email', lostValue: 'anna@example.org', winningValue: 'anna@neu.example', author: 'gabi' },
    ]);
    expect(store.sync.quarantinedCount()).toBe(0);
    expect(store.sync.requeueQuarantined()).toBe(0);
    expect(store.sync.pendingChanges(10).some((p) => p.change.field === 'email')).toBe(false);
  });

  it('a local edit after the import gets its own newer version and entry', async () => {
    const { store, anna } = await imported();
    const before = store.writer.version('contact', anna.id, 'name')!;
    store.contacts.update(anna.id, { name: 'Anna Neu' });
    const after = store.writer.version('contact', anna.id, 'name')!;
    expect(after > before).toBe(true);
    expect(store.writer.version('contact', anna.id, 'company')).toBe(before);
    const names = store.sync.pendingChanges(20).filter((p) => p.change.id === anna.id && p.change.field === 'name');
    expect(names.map((p) => p.change.value)).toEqual(['Anna Alt', 'Anna Neu']);
  });
});
