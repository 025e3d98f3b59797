import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppointmentCreate, AppointmentPatch, HostError, HLC_PATTERN } from '../../../../../protocol/index.js';
import { openStore, seedFirms } from '../../../../helpers/unit-store.js';

describe('contacts and the field writer', () => {
  it('writes each field with its version and an outbox entry in the same transaction', () => {
    const { store, file, changes } = openStore();
    const c = store.write(() =>
      store.contacts.create({
        tenant: 'schreinerei',
        name: 'Anna Müller',
        company: 'Holz & Co',
        phones: [{ kind: 'mobile', number: '0171 1234567' }],
      }),
    );
    expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(c.phones[0]).toMatchObject({ kind: 'mobile', number: '0171 1234567', e164: '+491711234567', valid: true });
    const raw = new Database(file, { readonly: true });
    const versions = raw
      .prepare("SELECT field, version FROM field_version WHERE tbl = 'contact' AND id = ? ORDER BY field")
      .all(c.id) as {
      field: string;
      version: string;
    }[];
    expect(versions.map((v) => v.field)).toEqual(['company', 'name']);
    for (const v of versions) expect(v.version).toMatch(HLC_PATTERN);
    const outbox = raw.prepare('SELECT tbl, field, value, version FROM outbox ORDER BY id').all() as {
      tbl: string;
      field: string;
      value: string;
      version: string;
    }[];
    expect(outbox.map((o) => `${o.tbl}.${o.field}`)).toEqual([
      'contact.name',
      'contact.company',
      'contact_phone.contact_id',
      'contact_phone.kind',
      'contact_phone.number',
    ]);
    // The outbox carries exactly the version stored for the field.
    expect(outbox[0]!.version).toBe(versions.find((v) => v.field === 'name')!.version);
    raw.close();
    expect(changes.map((ch) => ch.table).sort()).toEqual(['contact', 'contact_phone']);
    expect(store.sync.pendingCount()).toBe(5);
  });

  it('rolls back every field of a write when one is refused', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Bert', phones: [] });
    const before = store.sync.pendingCount();
    expect(() => store.contacts.update(c.id, { company: 'ok', notes: 'x'.repeat(70 * 1024) })).toThrow(HostError);
    expect(store.contacts.get(c.id).company).toBeNull();
    expect(store.sync.pendingCount()).toBe(before);
  });

  it('stores unicode and SQL-looking text verbatim and refuses empty or too long names clearly', () => {
    const { store } = openStore();
    const evil = "Robert'); DROP TABLE contact;-- 🚀 Zoë «Ünïcødé» \u0085\ufeff end";
    const c = store.contacts.create({ tenant: 't1', name: evil, notes: 'ä'.repeat(30_000), phones: [] });
    expect(store.contacts.get(c.id).name).toBe(evil);
    // a NUL is refused, not stored: the server could not store it and no export could carry it
    expect(() => store.contacts.create({ tenant: 't1', name: 'Robert \u0000 end', phones: [] })).toThrow(
      expect.objectContaining({ code: 'invalid_characters', field: 'name' }) as Error,
    );
    expect(store.contacts.get(c.id).notes).toHaveLength(30_000);
    const empty = (() => {
      try {
        store.contacts.create({ tenant: 't1', name: '   ', phones: [] });
      } catch (e) {
        return e as HostError;
      }
    })();
    expect(empty).toMatchObject({ code: 'validation', field: 'name' });
    const long = (() => {
      try {
        store.contacts.create({ tenant: 't1', name: 'n'.repeat(501), phones: [] });
      } catch (e) {
        return e as HostError;
      }
    })();
    expect(long).toMatchObject({ code: 'too_large', field: 'name' });
    // 64 KiB is counted in UTF-8 bytes: 33,000 umlauts are 66,000 bytes.
    expect(() => store.contacts.update(c.id, { notes: 'ü'.repeat(33_000) })).toThrow(/larger than 65536 bytes/);
    expect(store.contactCount()).toBe(1);
  });

  it('keeps an invalid number verbatim, flags it and leaves it out of lookup', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Ohne Nummer', phones: [{ kind: 'other', number: 'ruft nie an 12' }] });
    expect(c.phones[0]).toMatchObject({ number: 'ruft nie an 12', e164: null, valid: false });
    expect(store.lookup.caller('12').contact).toBeNull();
  });

  it('never moves a record to another tenant', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'A', phones: [] });
    expect(() => store.writer.writeLocal('contact', c.id, 't2', { name: 'B' })).toThrow(/another tenant/);
  });

  it('updates, removes phones and deletes with tombstones', () => {
    const { store } = openStore();
    const c = store.contacts.create({ tenant: 't1', name: 'Carla', phones: [{ kind: 'work', number: '030 1234567' }] });
    const withTwo = store.contacts.addPhone(c.id, 'mobile', '0171 7654321');
    expect(withTwo.phones).toHaveLength(2);
    const changed = store.contacts.updatePhone(c.phones[0]!.id, { number: '030 7777777' });
    expect(changed.phones.find((p) => p.id === c.phones[0]!.id)?.e164).toBe('+49307777777');
    expect(store.lookup.caller('030 1234567').contact).toBeNull();
    expect(store.contacts.removePhone(c.phones[0]!.id).phones).toHaveLength(1);
    store.contacts.delete(c.id);
    expect(() => store.contacts.get(c.id)).toThrow(/not found/);
    expect(store.writer.search.search('Carla', undefined, 10)).toEqual([]);
    expect(store.lookup.caller('0171 7654321').contact).toBeNull();
  });
});

describe('caller and firm lookup', () => {
  it('finds the caller whatever the format, and the firm by the dialled number', () => {
    const { store } = openStore();
    seedFirms(store);
    const c = store.contacts.create({
      tenant: 'schreinerei',
      name: 'Dora Dübel',
      phones: [{ kind: 'work', number: '+49 30 1234567' }],
    });
    for (const format of ['+49 30 1234567', '030 1234567', '0049301234567', '030/123 45 67', '+49301234567']) {
      const hit = store.lookup.caller(format, '030 5550100');
      expect(hit.contact?.id, format).toBe(c.id);
      expect(hit.tenant?.name).toBe('Schreinerei Müller');
      expect(hit.e164).toBe('+49301234567');
    }
    expect(store.lookup.tenantByNumber('+49 89 5550200')?.tenant).toBe('elektro');
    expect(store.lookup.tenantByNumber('+49 89 5550299')).toBeNull();
    // Known to another firm only: the dialled firm is shown, the other firm's contact is not.
    const other = store.lookup.caller('030 1234567', '089 5550200');
    expect(other.tenant?.tenant).toBe('elektro');
    expect(other.contact).toBeNull();
    expect(other.matches).toHaveLength(1);
  });

  it('links a new call to the known caller of that firm', () => {
    const { store } = openStore();
    const c = store.contacts.create({
      tenant: 'schreinerei',
      name: 'Emil',
      phones: [{ kind: 'mobile', number: '0171 2223333' }],
    });
    const call = store.activity.create<{ contact_id: string | null }>('call', {
      tenant: 'schreinerei',
      direction: 'in',
      remote_number: '+491712223333',
      started_at: '2025-01-02T10:00:00Z',
      outcome: 'missed',
    });
    expect(call.contact_id).toBe(c.id);
    expect(store.activity.listCalls({ missed: true, offset: 0, limit: 10 })).toHaveLength(1);
    expect(store.activity.listCalls({ tenant: 'elektro', offset: 0, limit: 10 })).toHaveLength(0);
  });

  it('keeps the call an appointment was booked in, syncs it as a field, and never changes it on a move', () => {
    const { store, file } = openStore();
    const call = store.activity.create<{ id: string }>('call', {
      tenant: 'schreinerei',
      direction: 'in',
      remote_number: '+491712223333',
      started_at: '2025-01-02T10:00:00Z',
    });
    const input = AppointmentCreate.parse({ tenant: 'schreinerei', starts_at: '2025-01-07T09:00:00Z', call_id: call.id });
    const booked = store.activity.create<{ id: string; call_id: string | null }>('appointment', input);
    expect(booked.call_id).toBe(call.id);
    const raw = new Database(file, { readonly: true });
    const outbox = raw
      .prepare(`SELECT value FROM outbox WHERE tbl = 'appointment' AND record_id = ? AND field = 'call_id'`)
      .get(booked.id) as { value: string } | undefined;
    raw.close();
    expect(outbox && JSON.parse(outbox.value)).toBe(call.id);
    // Moving it is a patch; the patch has no call_id to change.
    expect(AppointmentPatch.safeParse({ call_id: call.id }).success).toBe(false);
    const moved = store.activity.update<{ call_id: string | null; starts_at: string }>('appointment', booked.id, {
      starts_at: '2025-01-08T09:00:00Z',
    });
    expect(moved).toMatchObject({ call_id: call.id, starts_at: '2025-01-08T09:00:00Z' });
    expect(AppointmentCreate.safeParse({ tenant: 'schreinerei', starts_at: '2025-01-07T09:00:00Z', call_id: 'x' }).success).toBe(
      false,
    );
  });
});

describe('search as you type', () => {
  it('folds umlauts, ß and accents both ways and matches prefixes, filtered by firm', () => {
    const { store } = openStore();
    const mueller = store.contacts.create({ tenant: 't1', name: 'Müller', company: 'Straße & Söhne', phones: [] });
    const mueller2 = store.contacts.create({ tenant: 't2', name: 'Mueller', phones: [] });
    const rene = store.contacts.create({
      tenant: 't1',
      name: 'René Weiß',
      email: 'rene@example.org',
      phones: [{ kind: 'work', number: '030/123 45 67' }],
    });
    const ids = (q: string, tenant?: string) => store.writer.search.search(q, tenant, 20).map((h) => h.id);
    for (const q of ['muller', 'mueller', 'Müller', 'MÜL', 'mu']) expect(ids(q), q).toContain(mueller.id);
    expect(ids('Müller')).toContain(mueller2.id);
    expect(ids('muller')).not.toContain(mueller2.id); // "Mueller" is not "Muller"
    expect(ids('mueller', 't2')).toEqual([mueller2.id]);
    for (const q of ['strasse', 'straße', 'Sohne', 'soehne']) expect(ids(q), q).toEqual([mueller.id]);
    for (const q of ['rene', 'René', 'weiss', 'weiß', 'rene weiss', 'example', '030 123', '+49 30 12', '0049301234567'])
      expect(ids(q), q).toEqual([rene.id]);
    expect(ids('"; DROP TABLE contact; --')).toEqual([]);
    expect(ids('NEAR(a b) OR * ^')).toEqual([]);
    expect(ids('   ')).toEqual([]);
  });

  it('ranks a name match above a company match', () => {
    const { store } = openStore();
    const byCompany = store.contacts.create({ tenant: 't1', name: 'Xaver', company: 'Schmidt GmbH', phones: [] });
    const byName = store.contacts.create({ tenant: 't1', name: 'Schmidt', phones: [] });
    expect(store.writer.search.search('schmidt', undefined, 10).map((h) => h.id)).toEqual([byName.id, byCompany.id]);
    // Three letters rank among a bounded set of matches (PREFIX_POOL), still name before company.
    expect(store.writer.search.search('Sch', undefined, 10).map((h) => h.id)).toEqual([byName.id, byCompany.id]);
    expect(store.writer.search.search('sch', 't1', 10).map((h) => h.id)).toEqual([byName.id, byCompany.id]);
  });

  it('filters by firm inside the index: the best matches of that firm, never the firm token itself', () => {
    const { store } = openStore();
    // Many better-ranked matches in another firm must not push the filtered firm's match off the page.
    for (let i = 0; i < 30; i++) store.contacts.create({ tenant: 'other', name: `Kraus ${i}`, phones: [] });
    const mine = store.contacts.create({ tenant: 'bäcker-ei', name: 'Anna', company: 'Kraus Bau', phones: [] });
    expect(store.writer.search.search('kraus', 'bäcker-ei', 5).map((h) => h.id)).toEqual([mine.id]);
    expect(store.writer.search.search('kr', 'bäcker-ei', 5).map((h) => h.id)).toEqual([mine.id]);
    expect(store.writer.search.search('kraus', undefined, 50)).toHaveLength(31);
    expect(store.writer.search.search('bäcker', undefined, 5)).toEqual([]);
    expect(store.writer.search.search('t', undefined, 5)).toEqual([]);
    store.contacts.delete(mine.id);
    expect(store.writer.search.search('kraus', 'bäcker-ei', 5)).toEqual([]);
  });
});
