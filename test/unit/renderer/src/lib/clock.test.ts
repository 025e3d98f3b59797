import { afterEach, describe, expect, it } from 'vitest';
import { clockSkew, setClockOffset } from '../../../../../renderer/src/lib/clock.js';
import type { CallPatch } from '../../../../../protocol/store.js';
import type { PhonePorts } from '../../../../../renderer/src/lib/phone/ports.js';
import { CallRecorder } from '../../../../../renderer/src/lib/phone/call-recorder.js';
import type { LineView } from '../../../../../renderer/src/lib/phone/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('call times on a computer whose clock is wrong', () => {
  afterEach(() => setClockOffset(null));

  it('files a call in server time: a laptop a day ahead does not put it on tomorrow', async () => {
    const rows: Record<string, unknown>[] = [];
    const ports = {
      createCall: (input: Record<string, unknown>) => Promise.resolve({ id: String(rows.push({ ...input }) - 1) }),
      updateCall: (id: string, patch: CallPatch) => Promise.resolve(void Object.assign(rows[Number(id)]!, patch)),
      log: () => undefined,
    } as unknown as PhonePorts;
    const recorder = new CallRecorder(ports, () => 'tischlerei');
    // the laptop's clock reads 28 November; the server's, 27 November
    setClockOffset(-DAY);
    const local = Date.parse('2026-11-28T08:00:00Z');
    const view = { id: 'a', direction: 'in', remoteUser: '+49301234567', startedAt: local, lookup: null } as LineView;
    recorder.begin(view, () => undefined);
    recorder.answered({ ...view, answeredAt: local + 5000 });
    recorder.ended({ ...view, answeredAt: local + 5000, endedAt: local + 65_000, outcome: 'answered' });
    await recorder.settled();
    expect(rows[0]).toMatchObject({
      started_at: '2026-11-27T08:00:00.000Z',
      answered_at: '2026-11-27T08:00:05.000Z',
      ended_at: '2026-11-27T08:01:05.000Z',
    });
  });

  it('says how far off the clock is in the unit a person would use', () => {
    expect(clockSkew(-DAY)).toEqual({ unit: 'days', count: 1, ahead: true });
    expect(clockSkew(3 * HOUR + 60_000)).toEqual({ unit: 'hours', count: 3, ahead: false });
    expect(clockSkew(-4 * 60_000)).toEqual({ unit: 'minutes', count: 4, ahead: true });
    expect(clockSkew(89 * 60_000).unit).toBe('minutes');
    expect(clockSkew(23 * HOUR)).toEqual({ unit: 'hours', count: 23, ahead: false });
    expect(clockSkew(30 * HOUR)).toEqual({ unit: 'days', count: 1, ahead: false });
    expect(clockSkew(-3 * DAY)).toEqual({ unit: 'days', count: 3, ahead: true });
  });
});
