import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HostError, type Call, type Note } from '../../../../../protocol/index.js';
import { openStore } from '../../../../helpers/unit-store.js';

describe('the message form and call legs in the store', () => {
  it('keeps a message’s fields and sends each one as a field change of its own', () => {
    const { store, file } = openStore();
    const note = store.write(() =>
      store.activity.create<Note>('note', {
        tenant: 'tischlerei',
        subject: 'Fenster klemmt',
        body: 'Regnet herein.',
        urgency: 'urgent',
        caller_name: 'Erika Mustermann',
        caller_number: '+49 176 12345678',
        author: 'anna',
        callback_requested: true,
        callback_due: '2027-12-15T15:00:00.000Z',
      }),
    );
    expect(store.activity.get<Note>('note', note.id)).toMatchObject({
      urgency: 'urgent',
      caller_name: 'Erika Mustermann',
      caller_number: '+49 176 12345678',
      author: 'anna',
    });
    const raw = new Database(file, { readonly: true });
    const fields = (raw.prepare("SELECT field, value FROM outbox WHERE tbl = 'note'").all() as { field: string; value: string }[])
      .map((row) => `${row.field}=${row.value}`)
      .sort();
    raw.close();
    expect(fields).toEqual(expect.arrayContaining(['author="anna"', 'caller_name="Erika Mustermann"', 'urgency="urgent"']));
    // An older note reads as having none of it.
    const older = store.write(() => store.activity.create<Note>('note', { tenant: 'tischlerei', subject: 'Alt' }));
    expect(older).toMatchObject({ urgency: null, caller_name: null, caller_number: null, author: null });
    expect(() => store.write(() => store.activity.update('note', older.id, { caller_name: 'x'.repeat(501) }))).toThrow(HostError);
  });

  it('keeps a leg’s customer call, where a call went and whether the far end was a colleague', () => {
    const { store } = openStore();
    const customer = store.write(() =>
      store.activity.create<Call>('call', {
        tenant: 'tischlerei',
        direction: 'in',
        remote_number: '+4917612345678',
        started_at: '2026-12-06T10:00:00.000Z',
        internal: false,
      }),
    );
    const leg = store.write(() =>
      store.activity.create<Call>('call', {
        tenant: 'tischlerei',
        direction: 'out',
        remote_number: 'max',
        started_at: '2026-12-06T10:00:05.000Z',
        internal: true,
        parent_id: customer.id,
      }),
    );
    store.write(() => store.activity.update('call', customer.id, { outcome: 'forwarded', transferred_to: 'max' }));
    expect(store.activity.get<Call>('call', customer.id)).toMatchObject({
      internal: false,
      transferred_to: 'max',
      parent_id: null,
    });
    expect(store.activity.get<Call>('call', leg.id)).toMatchObject({
      internal: true,
      parent_id: customer.id,
      transferred_to: null,
    });
  });
});
