import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HostError, type HostEvent } from '../../../../../protocol/index.js';
import { HostEventBus } from '../../../../../electron/core/events.js';
import { watchMailArrivals } from '../../../../../electron/core/store/mail-arrivals.js';
import { MailRegister, type MailActor } from '../../../../../electron/core/store/mail-register.js';
import { addYears, berlinDay } from '../../../../../electron/core/store/mail-values.js';
import { openStore } from '../../../../helpers/unit-store.js';

const ANNA: MailActor = { user: 'anna', role: 'teleworker', tenants: ['schreinerei', 'elektro'] };
const CARL: MailActor = { user: 'carl', role: 'craftsman', tenants: ['schreinerei'] };
const EVA: MailActor = { user: 'eva', role: 'craftsman', tenants: ['elektro'] };
const LENA: MailActor = { user: 'lena', role: 'lead', tenants: [] };

/** A register at a settable time (23:30 UTC on 1 Dec 2026 is already 2 Dec in Berlin) and actor. */
function setup(start = Date.parse('2026-12-01T23:30:00Z')) {
  let ms = start;
  let actor: MailActor = ANNA;
  let years = {};
  const { store } = openStore(undefined, { now: () => new Date(ms) });
  const register = new MailRegister(store.writer, { actor: () => actor, retentionYears: () => years });
  return {
    store,
    register,
    as: (a: MailActor) => (actor = a),
    at: (iso: string) => (ms = Date.parse(iso)),
    retention: (y: object) => (years = y),
  };
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof HostError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('the mail register', () => {
  it('registers with today in Berlin, logs the first step, and asks a reason for a past day', () => {
    const { register, store } = setup();
    const item = register.register({ tenant: 'schreinerei', sender: ' Finanzamt ', kind: 'behoerde', deadline: '2026-12-10' });
    expect(item).toMatchObject({ received_on: '2026-12-02', sender: 'Finanzamt', status: 'eingegangen', received_log: [] });
    expect(item.status_log).toEqual([{ status: 'eingegangen', by: 'anna', at: '2026-12-01T23:30:00.000Z' }]);
    expect(store.sync.pendingChanges(100).some((p) => p.change.table === 'mail_item' && p.change.field === 'received_on')).toBe(
      true,
    );

    expect(code(() => register.register({ tenant: 'schreinerei', sender: 'X', kind: 'brief', received_on: '2026-11-30' }))).toBe(
      'mail_receipt_reason',
    );
    expect(code(() => register.register({ tenant: 'schreinerei', sender: 'X', kind: 'brief', received_on: '2026-12-03' }))).toBe(
      'validation',
    );
    const late = register.register({
      tenant: 'schreinerei',
      sender: 'Amtsgericht',
      kind: 'gericht',
      received_on: '2026-11-30',
      received_reason: 'lag im Briefkasten des Nachbarn',
    });
    expect(late.received_log).toEqual([
      {
        from: '2026-12-02',
        to: '2026-11-30',
        reason: 'lag im Briefkasten des Nachbarn',
        by: 'anna',
        at: '2026-12-01T23:30:00.000Z',
      },
    ]);
  });

  it('changes the date of receipt only with a reason, appending to the log', () => {
    const { register } = setup();
    const item = register.register({ tenant: 'schreinerei', sender: 'Kunde', kind: 'brief' });
    expect(code(() => register.changeReceipt(item.id, '2026-12-01', '  '))).toBe('mail_receipt_reason');
    register.changeReceipt(item.id, '2026-12-01', 'Stempel vom Vortag');
    const changed = register.changeReceipt(item.id, '2026-11-30', 'Poststempel');
    expect(changed.received_on).toBe('2026-11-30');
    expect(changed.received_log.map((r) => [r.from, r.to, r.reason])).toEqual([
      ['2026-12-02', '2026-12-01', 'Stempel vom Vortag'],
      ['2026-12-01', '2026-11-30', 'Poststempel'],
    ]);
  });

  it('moves forward only, needs a disposition for erledigt, and keeps who did what', () => {
    const { register, as } = setup();
    const item = register.register({ tenant: 'schreinerei', sender: 'Kunde', kind: 'rechnung' });
    register.advance(item.id, 'weitergeleitet', undefined, 'per Post');
    expect(code(() => register.advance(item.id, 'gescannt'))).toBe('mail_status_backwards');
    expect(code(() => register.advance(item.id, 'weitergeleitet'))).toBe('mail_status_backwards');
    expect(code(() => register.advance(item.id, 'erledigt'))).toBe('mail_no_disposition');
    as(CARL);
    const done = register.advance(item.id, 'erledigt', 'archiviert', 'bezahlt');
    expect(done.status_log.map((s) => [s.status, s.by, s.comment ?? null, s.disposition ?? null])).toEqual([
      ['eingegangen', 'anna', null, null],
      ['weitergeleitet', 'anna', 'per Post', null],
      ['erledigt', 'carl', 'bezahlt', 'archiviert'],
    ]);
    expect(done.disposition).toBe('archiviert');
  });

  it('never destroys an Einschreiben without the confirmation of the firm’s own craftsman', () => {
    const { register, as } = setup();
    const item = register.register({ tenant: 'schreinerei', sender: 'Vermieter', kind: 'einschreiben' });
    expect(code(() => register.advance(item.id, 'erledigt', 'vernichtet'))).toBe('mail_destroy_unconfirmed');
    expect(code(() => register.confirmDisposal(item.id))).toBe('forbidden'); // anna is not the craftsman
    as(EVA);
    expect(code(() => register.confirmDisposal(item.id))).toBe('forbidden'); // another firm's craftsman
    expect(code(() => register.get(item.id))).toBe('no error'); // (the store holds it; the server never sends it to her)
    as(CARL);
    expect(register.confirmDisposal(item.id).disposal_confirmed_by).toBe('carl');
    as(ANNA);
    expect(register.advance(item.id, 'erledigt', 'vernichtet').disposition).toBe('vernichtet');
    // A plain letter needs no confirmation.
    const brief = register.register({ tenant: 'schreinerei', sender: 'Kunde', kind: 'brief' });
    expect(register.advance(brief.id, 'erledigt', 'vernichtet').disposition).toBe('vernichtet');
  });

  it('marks read for the craftsman only, once; the office registers, the craftsman does not', () => {
    const { register, as, at } = setup();
    const item = register.register({ tenant: 'schreinerei', sender: 'Kunde', kind: 'brief' });
    expect(register.markRead(item.id).read_at).toBeNull();
    as(CARL);
    expect(code(() => register.register({ tenant: 'schreinerei', sender: 'X', kind: 'brief' }))).toBe('forbidden');
    expect(code(() => register.update(item.id, { subject: 'x' }))).toBe('forbidden');
    const read = register.markRead(item.id).read_at;
    expect(read).toBe('2026-12-01T23:30:00.000Z');
    at('2026-12-05T10:00:00Z');
    expect(register.markRead(item.id).read_at).toBe(read);
    as(ANNA);
    expect(code(() => register.register({ tenant: 'dachdecker', sender: 'X', kind: 'brief' }))).toBe('forbidden');
  });

  it('lists open items first, newest receipt first, with their documents, filtered by firm and unread', () => {
    const { register, store, as } = setup();
    const old = register.register({
      tenant: 'schreinerei',
      sender: 'A',
      kind: 'brief',
      received_on: '2026-11-01',
      received_reason: 'Nachtrag',
    });
    const done = register.register({ tenant: 'schreinerei', sender: 'B', kind: 'brief' });
    register.advance(done.id, 'erledigt', 'archiviert');
    const fresh = register.register({ tenant: 'schreinerei', sender: 'C', kind: 'mahnung' });
    const other = register.register({ tenant: 'elektro', sender: 'D', kind: 'brief' });
    const doc = randomUUID();
    store.writer.writeLocal('document', doc, 'schreinerei', {
      name: 'scan.pdf',
      attached_table: 'mail_item',
      attached_id: fresh.id,
    });
    const list = register.list({ tenant: 'schreinerei', offset: 0, limit: 50 });
    expect(list.map((i) => i.sender)).toEqual(['C', 'A', 'B']);
    expect(list[0]!.documents).toEqual([doc]);
    expect(register.list({ offset: 0, limit: 50 }).map((i) => i.id)).toContain(other.id);
    as(CARL);
    register.markRead(old.id);
    expect(register.list({ tenant: 'schreinerei', unread: true, offset: 0, limit: 50 }).map((i) => i.sender)).toEqual(['C', 'B']);
  });

  it('lists scans past retention per kind (overridable) for the lead, and purges only those', () => {
    const { register, store, as, at, retention } = setup(Date.parse('2018-03-01T09:00:00Z'));
    const attach = (item: { id: string; tenant: string }) => {
      const id = randomUUID();
      store.writer.writeLocal('document', id, item.tenant, {
        name: 'scan.pdf',
        attached_table: 'mail_item',
        attached_id: item.id,
      });
      return id;
    };
    const letter = register.register({ tenant: 'schreinerei', sender: 'Kunde', kind: 'brief' });
    const invoice = register.register({ tenant: 'schreinerei', sender: 'Lieferant', kind: 'rechnung' });
    const open = register.register({ tenant: 'schreinerei', sender: 'Kunde', kind: 'brief' });
    const letterDoc = attach(letter);
    attach(invoice);
    attach(open);
    register.advance(letter.id, 'erledigt', 'archiviert');
    register.advance(invoice.id, 'erledigt', 'archiviert');
    at('2024-03-01T09:00:00Z'); // 6 years after erledigt: the letter is due, the invoice (8 years) is not
    expect(code(() => register.retentionDue())).toBe('forbidden');
    as(LENA);
    expect(register.retentionDue().map((d) => [d.item.sender, d.dueSince])).toEqual([['Kunde', '2024-03-01']]);
    retention({ rechnung: 5 });
    expect(register.retentionDue().map((d) => d.item.sender)).toEqual(['Lieferant', 'Kunde']);
    retention({});
    expect(code(() => register.purge([letter.id, invoice.id]))).toBe('conflict');
    expect(store.db.prepare('SELECT _deleted FROM document WHERE id = ?').pluck().get(letterDoc)).toBe(0);
    expect(register.purge([letter.id])).toEqual({ purged: 1 });
    expect(store.db.prepare('SELECT _deleted FROM document WHERE id = ?').pluck().get(letterDoc)).toBe(1);
    expect(register.retentionDue()).toEqual([]);
    const tombstone = store.sync
      .pendingChanges(1000)
      .find((p) => p.change.table === 'document' && p.change.id === letterDoc && p.change.field === '_deleted');
    expect(tombstone?.change).toMatchObject({ field: '_deleted', value: true });
  });

  it('announces mail a pull brings of a served firm once, never the office’s own or old history', () => {
    const { store, register, as } = setup(Date.now());
    const events = new HostEventBus();
    const heard: HostEvent[] = [];
    events.subscribe((e) => e.event === 'mail.arrived' && heard.push(e));
    as(CARL);
    watchMailArrivals(store.db, register, events, (t) => t === 'schreinerei');
    const pulled = (tenant: string, at: string) => {
      const id = randomUUID();
      const fields = {
        received_on: at.slice(0, 10),
        sender: 'Finanzamt',
        kind: 'behoerde',
        deadline: '2027-01-15',
        status: 'eingegangen',
        status_log: JSON.stringify([{ status: 'eingegangen', by: 'anna', at }]),
      };
      for (const [field, value] of Object.entries(fields))
        store.writer.applyRemote('mail_item', id, tenant, field, value, store.writer.stampVersion());
      events.emit('store.changed', { table: 'mail_item', ids: [id], source: 'sync' });
      return id;
    };
    const now = new Date().toISOString();
    const id = pulled('schreinerei', now);
    events.emit('store.changed', { table: 'mail_item', ids: [id], source: 'sync' });
    pulled('elektro', now);
    pulled('schreinerei', '2020-01-01T00:00:00.000Z');
    expect(heard.map((e) => e.payload)).toEqual([
      { id, tenant: 'schreinerei', sender: 'Finanzamt', kind: 'behoerde', deadline: '2027-01-15' },
    ]);
  });
});

describe('days', () => {
  it('takes the calendar day in Berlin and adds years, 29 February to 28 February', () => {
    expect(berlinDay(Date.parse('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(berlinDay(Date.parse('2026-12-31T22:59:59Z'))).toBe('2026-12-31');
    expect(addYears('2024-02-29', 6)).toBe('2030-02-28');
    expect(addYears('2020-11-15', 8)).toBe('2028-11-15');
  });
});
