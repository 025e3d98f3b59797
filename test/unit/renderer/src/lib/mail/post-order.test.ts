import { describe, expect, it } from 'vitest';
import type { MailItem } from '../../../../../../protocol/index.js';
import {
  daysUntil,
  deadlineUrgency,
  needsDisposalConfirmation,
  nextSteps,
  postOrder,
} from '../../../../../../renderer/src/lib/mail/post-order.js';

function item(id: string, fields: Partial<MailItem> = {}): MailItem {
  return {
    id,
    tenant: 'tischlerei',
    received_on: '2026-12-07',
    received_log: [],
    sender: 'Finanzamt',
    kind: 'brief',
    subject: null,
    deadline: null,
    handler: null,
    status: 'weitergeleitet',
    status_log: [],
    disposition: null,
    disposal_confirmed_by: null,
    read_at: null,
    documents: [],
    created_at: '2026-12-07T08:00:00.000Z',
    updated_at: '2026-12-07T08:00:00.000Z',
    ...fields,
  };
}

describe('deadlines in Berlin days', () => {
  it('counts calendar days across a month and a DST change', () => {
    expect(daysUntil('2026-12-10', '2026-12-07')).toBe(3);
    expect(daysUntil('2026-03-30', '2026-03-28')).toBe(2);
    expect(daysUntil('2026-12-06', '2026-12-07')).toBe(-1);
  });

  it('is red at three days or less and when past, not at four, and never once erledigt', () => {
    const today = '2026-12-07';
    expect(deadlineUrgency(item('a', { deadline: '2026-12-10' }), today)).toBe('due');
    expect(deadlineUrgency(item('a', { deadline: '2026-12-11' }), today)).toBe('later');
    expect(deadlineUrgency(item('a', { deadline: '2026-12-01' }), today)).toBe('due');
    expect(deadlineUrgency(item('a', { deadline: null }), today)).toBe('none');
    expect(deadlineUrgency(item('a', { deadline: '2026-12-08', status: 'erledigt' }), today)).toBe('none');
  });
});

describe("the craftsman's order", () => {
  it('puts unread first, then open before erledigt, then the nearest deadline, then the newest', () => {
    const ordered = postOrder([
      item('read-near', { read_at: '2026-12-07T09:00:00Z', deadline: '2026-12-08' }),
      item('unread-none', { received_on: '2026-12-05' }),
      item('unread-done', { status: 'erledigt', deadline: '2026-12-07' }),
      item('unread-far', { deadline: '2027-01-30' }),
      item('unread-near', { deadline: '2026-12-09' }),
      item('unread-none-newer', { received_on: '2026-12-06' }),
    ]);
    expect(ordered.map((entry) => entry.id)).toEqual([
      'unread-near',
      'unread-far',
      'unread-none-newer',
      'unread-none',
      'unread-done',
      'read-near',
    ]);
  });
});

describe('the office side', () => {
  it('offers only forward steps', () => {
    expect(nextSteps('eingegangen')).toEqual(['gescannt', 'weitergeleitet', 'erledigt']);
    expect(nextSteps('weitergeleitet')).toEqual(['erledigt']);
    expect(nextSteps('erledigt')).toEqual([]);
  });

  it('asks for the craftsman before destroying Einschreiben, Gericht and Behörde only', () => {
    expect(needsDisposalConfirmation({ kind: 'gericht', disposal_confirmed_by: null })).toBe(true);
    expect(needsDisposalConfirmation({ kind: 'gericht', disposal_confirmed_by: 'max' })).toBe(false);
    expect(needsDisposalConfirmation({ kind: 'rechnung', disposal_confirmed_by: null })).toBe(false);
  });
});
