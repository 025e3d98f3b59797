import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../../../../electron/core/sync/server-clock.js';

const T = 1_764_163_200_000;
const DAY = 86_400_000;

/** A computer whose clock is `skew` off the server's; `answer` plays one request of `rtt` ms, the server stamping it after `serverAt` of them. */
function rig(skew: number) {
  const lines: { level: string; message: string; context?: Record<string, unknown> }[] = [];
  const time = { server: T, skew };
  const clock = new ServerClock({
    localNow: () => time.server + time.skew,
    log: {
      info: (message, context) => lines.push({ level: 'info', message, ...(context ? { context } : {}) }),
      warn: (message, context) => lines.push({ level: 'warn', message, ...(context ? { context } : {}) }),
    },
  });
  const answer = (rtt: number, serverAt = rtt / 2) => {
    const sent = clock.localNow();
    const stamped = time.server + serverAt;
    time.server += rtt;
    clock.observe(sent, clock.localNow(), stamped);
  };
  return { clock, time, answer, lines };
}

describe('ServerClock', () => {
  it('has no offset before the first answer and uses the local clock meanwhile', () => {
    const { clock, time } = rig(DAY);
    expect(clock.offset()).toBeNull();
    expect(clock.now()).toBe(time.server + DAY);
  });

  it('measures a clock a day ahead to within half a round trip, and corrects now() by it', () => {
    const { clock, time, answer } = rig(DAY);
    answer(40, 5);
    expect(Math.abs(clock.offset()! + DAY)).toBeLessThanOrEqual(20);
    expect(Math.abs(clock.now() - time.server)).toBeLessThanOrEqual(20);
  });

  it('is not pulled away by one slow answer, wherever the server stamped it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3 * DAY, max: 3 * DAY }),
        fc.integer({ min: 5_000, max: 60_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (skew, slow, where) => {
          const { clock, answer } = rig(skew);
          for (let i = 0; i < 3; i++) answer(10);
          answer(slow, Math.round(slow * where));
          expect(Math.abs(clock.offset()! + skew)).toBeLessThanOrEqual(5);
        },
      ),
    );
  });

  it('starts over when the local clock is set (the user fixed the date)', () => {
    const { clock, time, answer } = rig(-3 * 3600_000);
    for (let i = 0; i < 4; i++) answer(10);
    expect(Math.abs(clock.offset()! - 3 * 3600_000)).toBeLessThanOrEqual(5);
    time.skew = 0;
    answer(10);
    expect(Math.abs(clock.offset()!)).toBeLessThanOrEqual(5);
  });

  it('takes an HTTP Date header with its whole-second resolution', () => {
    const { clock, time } = rig(DAY);
    const sent = clock.localNow();
    const header = Math.floor((time.server + 3) / 1000) * 1000;
    time.server += 6;
    clock.observe(sent, clock.localNow(), header, 1000);
    expect(Math.abs(clock.offset()! + DAY)).toBeLessThanOrEqual(1000);
  });

  it('ignores an answer whose round trip went backwards on the local clock, and keeps the last estimate', () => {
    const { clock, answer } = rig(60_000);
    answer(10);
    const before = clock.offset();
    clock.observe(T + 1000, T + 500, T);
    expect(clock.offset()).toBe(before);
  });

  it('logs a clock off by more than a few minutes with the figures, once, and its return', () => {
    const { clock, time, answer, lines } = rig(3 * 3600_000);
    answer(10);
    answer(10);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('warn');
    expect(lines[0]?.message).toContain('ahead');
    expect(Math.abs((lines[0]!.context!.offsetMs as number) + 3 * 3600_000)).toBeLessThanOrEqual(5);
    expect(lines[0]!.context).toHaveProperty('localTime');
    time.skew = 0;
    answer(10);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(clock.offset()).toBeLessThanOrEqual(5);
  });

  it('tells listeners when the estimate moves by a second or more, not on every answer', () => {
    const { clock, time, answer } = rig(0);
    const heard: number[] = [];
    clock.onChange((offset) => heard.push(offset));
    answer(10);
    answer(10);
    time.skew = -90_000;
    answer(10);
    expect(heard).toHaveLength(2);
    expect(Math.abs(heard[1]! - 90_000)).toBeLessThanOrEqual(5);
  });

  it("keeps an earlier run's estimate until the first answer of this one", () => {
    const { clock, time, answer } = rig(DAY);
    clock.assume(-DAY + 2000);
    expect(clock.now()).toBe(time.server + 2000);
    answer(10);
    expect(Math.abs(clock.offset()! + DAY)).toBeLessThanOrEqual(5);
    clock.assume(0);
    expect(Math.abs(clock.offset()! + DAY)).toBeLessThanOrEqual(5);
  });
});
