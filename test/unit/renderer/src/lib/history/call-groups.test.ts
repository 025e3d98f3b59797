import { describe, expect, it } from 'vitest';
import type { Call } from '../../../../../../protocol/store.js';
import { groupCalls, groupOutcome, isInternalCall } from '../../../../../../renderer/src/lib/history/call-groups.js';

let n = 0;
function row(fields: Partial<Call>): Call {
  n++;
  return {
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    tenant: 'tischlerei',
    direction: 'in',
    remote_number: '+4917612345678',
    dialled_number: null,
    contact_id: null,
    started_at: `2026-12-06T10:00:${String(n).padStart(2, '0')}.000Z`,
    answered_at: null,
    ended_at: null,
    outcome: null,
    taken_by: null,
    parent_id: null,
    transferred_to: null,
    internal: null,
    ...fields,
  };
}
const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const never = { live: () => false, mine: () => true, now: NOW };
const liveOnly = (id: string) => ({ live: (x: string) => x === id, mine: () => true, now: NOW });

describe('one history row per customer call', () => {
  it('puts a consultation and a leg of a leg inside the customer call, newest call first, legs in order', () => {
    const customer = row({ outcome: 'forwarded', transferred_to: 'max', ended_at: '2026-12-06T10:05:00.000Z' });
    const consult = row({ direction: 'out', remote_number: 'max', internal: true, parent_id: customer.id, outcome: 'answered' });
    const replaced = row({ remote_number: 'anna', internal: true, parent_id: consult.id, outcome: 'answered' });
    const later = row({ remote_number: '+49301234567', outcome: 'missed', ended_at: '2026-12-06T11:00:00.000Z' });
    // The store lists newest first.
    const groups = groupCalls([later, replaced, consult, customer]);
    expect(groups.map((g) => g.call.id)).toEqual([later.id, customer.id]);
    expect(groups[1]!.legs.map((l) => l.id)).toEqual([consult.id, replaced.id]);
    expect(groups[0]!.legs).toEqual([]);
  });

  it('lets a leg whose call is not in the list stand on its own, and survives a cycle', () => {
    const orphan = row({ parent_id: '00000000-0000-7000-8000-999999999999' });
    const a = row({});
    const b = row({ parent_id: a.id });
    a.parent_id = b.id;
    const groups = groupCalls([orphan, a, b]);
    expect(groups.map((g) => g.call.id).sort()).toContain(orphan.id);
    expect(groups.flatMap((g) => [g.call, ...g.legs])).toHaveLength(3);
  });

  it('says where a call went, and "läuft" only while a line still carries it', () => {
    const customer = row({ outcome: 'forwarded', transferred_to: 'max', ended_at: '2026-12-06T10:05:00.000Z' });
    expect(groupOutcome({ call: customer, legs: [] }, never)).toEqual({ key: 'forwarded', target: 'max' });
    const running = row({ outcome: 'answered', answered_at: '2026-12-06T10:00:01.000Z' });
    expect(groupOutcome({ call: running, legs: [] }, liveOnly(running.id))).toEqual({ key: 'open' });
    expect(groupOutcome({ call: running, legs: [] }, never)).toEqual({ key: 'answered' });
    // The end of this row was never written (the app closed mid-call): not "läuft" for ever.
    const stuck = row({});
    expect(groupOutcome({ call: stuck, legs: [] }, never)).toEqual({ key: 'ended' });
    expect(groupOutcome({ call: row({ outcome: 'missed' }), legs: [] }, never)).toEqual({ key: 'missed' });
    // Another desk's row without an end may still ring there — for a few minutes, not for ever.
    const elsewhere = { live: () => false, mine: () => false, now: NOW };
    const ringingThere = row({ started_at: '2026-12-06T11:59:30.000Z' });
    expect(groupOutcome({ call: ringingThere, legs: [] }, elsewhere)).toEqual({ key: 'open' });
    const longAgo = row({ started_at: '2026-12-06T11:50:00.000Z' });
    expect(groupOutcome({ call: longAgo, legs: [] }, elsewhere)).toEqual({ key: 'ended' });
  });

  it('tells colleagues from customers, also on rows written before the flag existed', () => {
    expect(isInternalCall(row({ internal: true, remote_number: '+4930123' }))).toBe(true);
    expect(isInternalCall(row({ internal: false }))).toBe(false);
    expect(isInternalCall(row({ remote_number: 'max' }))).toBe(true);
    expect(isInternalCall(row({ remote_number: '030 1234567' }))).toBe(false);
  });
});

describe('rows of one customer call from two desks', () => {
  // What anna's and max's desks wrote for one call (synced, so both lists hold all four rows): anna
  // took it, consulted max, transferred the customer to him, who answered.
  const customer = row({
    remote_number: '+4917612345678',
    started_at: '2026-12-06T21:59:42.236Z',
    answered_at: '2026-12-06T21:59:42.470Z',
    ended_at: '2026-12-06T21:59:43.887Z',
    outcome: 'forwarded',
    taken_by: 'anna',
    transferred_to: 'max',
    internal: false,
  });
  const consultation = row({
    direction: 'out',
    remote_number: 'max',
    started_at: '2026-12-06T21:59:42.782Z',
    outcome: 'answered',
    parent_id: customer.id,
    internal: true,
  });
  const received = row({
    remote_number: 'anna',
    started_at: '2026-12-06T21:59:42.971Z',
    outcome: 'answered',
    taken_by: 'max',
    internal: true,
  });
  const arrived = row({
    remote_number: '+4917612345678',
    started_at: '2026-12-06T21:59:43.772Z',
    outcome: 'answered',
    taken_by: 'max',
    internal: false,
  });

  it('are one row: the consultation once, the customer at the colleague inside it', () => {
    const groups = groupCalls([arrived, received, consultation, customer]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.call.id).toBe(customer.id);
    expect(groups[0]!.legs.map((l) => l.id)).toEqual([consultation.id, arrived.id]);
    expect(groupOutcome(groups[0]!, never)).toEqual({ key: 'forwarded', target: 'max' });
  });

  it('leave a call alone that only looks alike: another number, someone else, or much later', () => {
    const otherNumber = row({ ...arrived, id: `${arrived.id.slice(0, -1)}a`, remote_number: '+4930111111' });
    const otherTaker = row({ ...arrived, id: `${arrived.id.slice(0, -1)}b`, taken_by: 'eva' });
    const later = row({ ...arrived, id: `${arrived.id.slice(0, -1)}c`, started_at: '2026-12-06T22:10:00.000Z' });
    const lateReceived = row({ ...received, id: `${received.id.slice(0, -1)}d`, started_at: '2026-12-06T22:00:30.000Z' });
    const groups = groupCalls([later, otherTaker, otherNumber, lateReceived, consultation, customer]);
    expect(groups.map((g) => g.call.id).sort()).toEqual(
      [customer.id, otherNumber.id, otherTaker.id, later.id, lateReceived.id].sort(),
    );
  });
});
