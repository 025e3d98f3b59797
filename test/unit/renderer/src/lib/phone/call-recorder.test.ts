import { describe, expect, it } from 'vitest';
import type { CallerLookup, CallPatch } from '../../../../../../protocol/store.js';
import type { PhonePorts } from '../../../../../../renderer/src/lib/phone/ports.js';
import { CallRecorder } from '../../../../../../renderer/src/lib/phone/call-recorder.js';
import type { LineView } from '../../../../../../renderer/src/lib/phone/types.js';

// The recorder against an in-memory history: what rows the store would hold after each sequence.
function history() {
  const rows = new Map<string, Record<string, unknown>>();
  const ports = {
    createCall: (input: Record<string, unknown>) => {
      const id = `row-${rows.size + 1}`;
      rows.set(id, { ...input });
      return Promise.resolve({ id });
    },
    updateCall: (id: string, patch: CallPatch) => {
      Object.assign(rows.get(id)!, patch);
      return Promise.resolve();
    },
    log: () => undefined,
  } as unknown as PhonePorts;
  return {
    rows,
    recorder: new CallRecorder(
      ports,
      () => 'first-firm',
      () => 'anna',
    ),
  };
}

const line = (id: string): LineView =>
  ({ id, direction: 'in', remoteUser: '+49301234567', startedAt: Date.parse('2026-11-27T08:00:00Z'), lookup: null }) as LineView;
const firm = (tenant: string, contact?: { id: string; tenant: string }) =>
  ({ tenant: { tenant, name: tenant }, contact: contact ?? null }) as unknown as CallerLookup;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('call history rows', () => {
  it('a row waits for a slow lookup and lands in the dialled firm, not the user’s first', async () => {
    const { rows, recorder } = history();
    const lookup = deferred<CallerLookup | null>();
    const view = line('a');
    recorder.begin(view, (id) => (view.recordId = id), lookup.promise);
    // The caller gives up before the lookup answers: the end is queued behind the create.
    recorder.update('a', { ended_at: '2026-11-27T08:00:03.000Z', outcome: 'missed' });
    lookup.resolve(firm('schreinerei', { id: 'c1', tenant: 'schreinerei' }));
    await recorder.settled();
    expect([...rows.values()]).toEqual([
      expect.objectContaining({
        tenant: 'schreinerei',
        contact_id: 'c1',
        outcome: 'missed',
        ended_at: '2026-11-27T08:00:03.000Z',
      }),
    ]);
    expect(view.recordId).toBe('row-1');
  });

  it('a failed lookup still leaves a row, in the user’s first firm', async () => {
    const { rows, recorder } = history();
    recorder.begin(line('b'), () => undefined, Promise.reject(new Error('store busy')));
    await recorder.settled();
    expect([...rows.values()]).toEqual([expect.objectContaining({ tenant: 'first-firm', contact_id: null })]);
  });

  it('a caller recognised later is linked only when the contact belongs to the row’s firm', async () => {
    const { rows, recorder } = history();
    recorder.begin(line('c'), () => undefined, Promise.resolve(firm('schreinerei')));
    recorder.recognised('c', { id: 'other-firms-contact', tenant: 'elektro' });
    recorder.recognised('c', { id: 'c2', tenant: 'schreinerei' });
    await recorder.settled();
    expect(rows.get('row-1')).toMatchObject({ tenant: 'schreinerei', contact_id: 'c2' });
  });

  it('a consultation names the customer call it belongs to; the transferred call says where it went and who took it', async () => {
    const { rows, recorder } = history();
    const customer = { ...line('cust'), caller: 'outside' } as LineView;
    recorder.begin(customer, (id) => (customer.recordId = id), Promise.resolve(firm('tischlerei')));
    recorder.answered({ ...customer, answeredAt: Date.parse('2026-11-27T08:00:02Z') });
    const consult = { ...line('cons'), direction: 'out', remoteUser: 'max' } as LineView;
    recorder.begin(consult, () => undefined, Promise.resolve(firm('tischlerei')), 'cust');
    recorder.ended({ ...consult, endedAt: Date.parse('2026-11-27T08:00:09Z'), outcome: undefined });
    recorder.ended({
      ...customer,
      endedAt: Date.parse('2026-11-27T08:00:10Z'),
      outcome: 'forwarded',
      transfer: { kind: 'blind', target: 'max', state: 'done' },
    });
    await recorder.settled();
    expect(rows.get('row-1')).toMatchObject({ internal: false, taken_by: 'anna', outcome: 'forwarded', transferred_to: 'max' });
    expect(rows.get('row-2')).toMatchObject({ internal: true, parent_id: 'row-1', direction: 'out', remote_number: 'max' });
    expect(rows.get('row-2')).not.toHaveProperty('transferred_to');
  });

  it('at the target of an attended transfer, the replaced consultation becomes a leg of the customer call', async () => {
    const { rows, recorder } = history();
    const fromColleague = { ...line('colleague'), remoteUser: 'anna', caller: 'colleague' } as LineView;
    recorder.begin(fromColleague, () => undefined, Promise.resolve(firm('tischlerei')));
    const customer = { ...line('customer'), caller: 'outside' } as LineView;
    recorder.begin(customer, () => undefined, Promise.resolve(firm('tischlerei')));
    recorder.link('colleague', 'customer');
    await recorder.settled();
    expect(rows.get('row-1')).toMatchObject({ internal: true, parent_id: 'row-2' });
    expect(rows.get('row-2')).toMatchObject({ internal: false });
    expect(rows.get('row-2')).not.toHaveProperty('parent_id');
  });
});

describe('what the row carries for billing', () => {
  it('keeps the SIP Call-ID on answer, and on the end the app’s talk time and the hold', async () => {
    const { rows, recorder } = history();
    const view = line('d');
    recorder.begin(view, () => undefined, Promise.resolve(firm('schreinerei')));
    view.answeredAt = Date.parse('2026-11-27T08:00:04Z');
    recorder.answered(view, 'a84b4c76e66710@pbx');
    view.endedAt = Date.parse('2026-11-27T08:01:05.600Z');
    view.outcome = 'answered';
    recorder.ended(view, 12);
    await recorder.settled();
    expect(rows.get('row-1')).toMatchObject({ pbx_call_id: 'a84b4c76e66710@pbx', app_talk_seconds: 62, hold_seconds: 12 });
  });

  it('an unanswered call has no talk or hold time', async () => {
    const { rows, recorder } = history();
    const view = line('e');
    recorder.begin(view, () => undefined, Promise.resolve(firm('schreinerei')));
    view.endedAt = Date.parse('2026-11-27T08:00:09Z');
    view.outcome = 'missed';
    recorder.ended(view, 0);
    await recorder.settled();
    expect(rows.get('row-1')).not.toHaveProperty('app_talk_seconds');
    expect(rows.get('row-1')).not.toHaveProperty('hold_seconds');
  });
});
