import { describe, expect, it } from 'vitest';
import type { Note } from '../../../../../../protocol/store.js';
import { inboxOrder, isOverdue } from '../../../../../../renderer/src/lib/notes/inbox-order.js';

function note(subject: string, fields: Partial<Note> = {}): Note {
  return {
    id: subject,
    tenant: 'tischlerei',
    call_id: null,
    contact_id: null,
    subject,
    body: null,
    callback_requested: false,
    callback_number: null,
    callback_due: null,
    status: 'open',
    assignee: null,
    urgency: null,
    caller_name: null,
    caller_number: null,
    author: null,
    created_at: '2026-12-06T09:00:00.000Z',
    updated_at: '2026-12-06T09:00:00.000Z',
    ...fields,
  };
}

describe('the craftsman inbox order', () => {
  it('puts urgent first, then due callbacks by due time, then the rest newest first, done last', () => {
    const due = (iso: string) => ({ callback_requested: true, callback_due: iso });
    const list = [
      note('old plain', { created_at: '2026-12-06T08:00:00.000Z' }),
      note('new plain', { created_at: '2026-12-06T10:00:00.000Z' }),
      note('due late', due('2026-12-06T15:00:00.000Z')),
      note('done urgent', { status: 'done', urgency: 'urgent' }),
      note('due early', due('2026-12-06T11:00:00.000Z')),
      note('urgent', { urgency: 'urgent', created_at: '2026-12-06T07:00:00.000Z' }),
      note('urgent due', { urgency: 'urgent', ...due('2026-12-06T16:00:00.000Z') }),
      // A due time without a callback request is no callback.
      note('due but no callback', { callback_due: '2026-12-06T10:00:00.000Z' }),
    ];
    expect(inboxOrder(list).map((n) => n.subject)).toEqual([
      'urgent due',
      'urgent',
      'due early',
      'due late',
      'new plain',
      'due but no callback',
      'old plain',
      'done urgent',
    ]);
  });

  it('marks an open callback past its time as overdue', () => {
    const now = Date.parse('2026-12-06T12:00:00.000Z');
    const late = note('late', { callback_requested: true, callback_due: '2026-12-06T11:00:00.000Z' });
    expect(isOverdue(late, now)).toBe(true);
    expect(isOverdue({ ...late, status: 'done' }, now)).toBe(false);
    expect(isOverdue({ ...late, callback_due: '2026-12-06T13:00:00.000Z' }, now)).toBe(false);
  });
});
