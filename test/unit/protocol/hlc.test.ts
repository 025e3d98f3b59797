import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridLogicalClock, MAX_CLOCK_SKEW_MS, formatVersion, parseVersion, type HlcState } from '../../../protocol/hlc.js';

const A = '00000000000000aa';
const B = '00000000000000bb';
const T = 1_764_163_200_000;

/** A clock whose wall clock the test sets. */
function clockAt(node: string, initial?: HlcState) {
  const wall = { ms: T };
  const clock = new HybridLogicalClock(node, () => wall.ms, initial);
  return { clock, wall };
}

describe('HybridLogicalClock: send (tick)', () => {
  it('stamps the wall clock, counting up within one millisecond', () => {
    const { clock, wall } = clockAt(A);
    expect(clock.tick()).toBe(formatVersion(T, 0, A));
    expect(clock.tick()).toBe(formatVersion(T, 1, A));
    wall.ms = T + 5;
    expect(clock.tick()).toBe(formatVersion(T + 5, 0, A));
  });

  it('never goes back when the wall clock does', () => {
    const { clock, wall } = clockAt(A);
    const first = clock.tick();
    wall.ms = T - 60_000;
    const second = clock.tick();
    expect(second > first).toBe(true);
    expect(parseVersion(second)).toEqual({ ms: T, counter: 1, node: A });
  });

  it('moves to the next millisecond when the counter is full, instead of overflowing it', () => {
    const { clock } = clockAt(A, { ms: T, counter: 99_999 });
    const v = clock.tick();
    expect(parseVersion(v)).toEqual({ ms: T + 1, counter: 0, node: A });
    expect(v > formatVersion(T, 99_999, A)).toBe(true);
    expect(clock.tick()).toBe(formatVersion(T + 1, 1, A));
  });

  it('issues strictly increasing versions whatever the wall clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 300 }), (steps) => {
        const { clock, wall } = clockAt(A, { ms: T, counter: 99_990 });
        let last = '';
        for (const step of steps) {
          wall.ms += step;
          const v = clock.tick();
          expect(v > last).toBe(true);
          last = v;
        }
      }),
    );
  });
});

describe('HybridLogicalClock: compare', () => {
  it('sorts versions as strings exactly as (ms, counter, node) numerically', () => {
    const version = fc.tuple(
      fc.integer({ min: 0, max: 999_999_999_999_999 }),
      fc.integer({ min: 0, max: 99_999 }),
      fc.constantFrom(A, B),
    );
    fc.assert(
      fc.property(version, version, ([m1, c1, n1], [m2, c2, n2]) => {
        const [x, y] = [formatVersion(m1, c1, n1), formatVersion(m2, c2, n2)];
        const byString = x < y ? -1 : x > y ? 1 : 0;
        const expected = m1 !== m2 ? Math.sign(m1 - m2) : c1 !== c2 ? Math.sign(c1 - c2) : n1 < n2 ? -1 : n1 > n2 ? 1 : 0;
        expect(byString).toBe(expected);
      }),
    );
  });

  it('breaks a tie of time and counter by node id, the same way on every node', () => {
    const a = clockAt(A).clock.tick();
    const b = clockAt(B).clock.tick();
    expect(a.slice(0, 21)).toBe(b.slice(0, 21));
    expect(b > a).toBe(true);
    expect([b, a].sort()).toEqual([a, b]);
  });

  it('round-trips a version and refuses malformed ones', () => {
    expect(parseVersion(formatVersion(T, 42, B))).toEqual({ ms: T, counter: 42, node: B });
    expect(() => parseVersion('001764163200000-00000-3F2A9C01D4E5B6A7')).toThrow(/invalid HLC version/);
    expect(() => parseVersion('1764163200000-0-00000000000000aa')).toThrow(/invalid HLC version/);
    expect(() => new HybridLogicalClock('not-a-node')).toThrow(/node id/);
  });
});

describe('HybridLogicalClock: receive', () => {
  it('moves past a remote version ahead of it, so the next local write sorts after it', () => {
    const { clock } = clockAt(A);
    const remote = formatVersion(T + 30_000, 7, B);
    expect(clock.receive(remote)).toBe(true);
    const next = clock.tick();
    expect(next > remote).toBe(true);
    expect(parseVersion(next)).toEqual({ ms: T + 30_000, counter: 8, node: A });
  });

  it('keeps its state for a remote version behind it, and takes a greater counter at the same millisecond', () => {
    const { clock } = clockAt(A);
    clock.tick();
    clock.receive(formatVersion(T - 1000, 50, B));
    expect(clock.snapshot()).toEqual({ ms: T, counter: 0 });
    clock.receive(formatVersion(T, 9, B));
    expect(clock.snapshot()).toEqual({ ms: T, counter: 9 });
  });

  it(`adopts a version up to ${MAX_CLOCK_SKEW_MS / 1000} s ahead of its wall clock, and not one a millisecond further`, () => {
    const { clock } = clockAt(A);
    const edge = formatVersion(T + MAX_CLOCK_SKEW_MS, 0, B);
    expect(clock.receive(edge)).toBe(true);
    expect(clock.snapshot().ms).toBe(T + MAX_CLOCK_SKEW_MS);

    const other = clockAt(A).clock;
    const beyond = formatVersion(T + MAX_CLOCK_SKEW_MS + 1, 0, B);
    expect(other.receive(beyond)).toBe(false);
    expect(other.snapshot()).toEqual({ ms: 0, counter: 0 });
    // one laptop a day ahead does not drag this clock, nor the next local write, into its future
    expect(other.receive(formatVersion(T + 86_400_000, 0, B))).toBe(false);
    expect(parseVersion(other.tick()).ms).toBe(T);
  });

  it('keeps the bound small: minutes, not a day', () => {
    expect(MAX_CLOCK_SKEW_MS).toBeLessThanOrEqual(5 * 60 * 1000);
    expect(MAX_CLOCK_SKEW_MS).toBeGreaterThanOrEqual(30 * 1000);
  });
});

describe('HybridLogicalClock: rewind', () => {
  it('pulls back a clock that ticked on a wall clock far ahead, once its time source is corrected', () => {
    const { clock, wall } = clockAt(A);
    wall.ms = T + 86_400_000;
    clock.tick();
    wall.ms = T;
    expect(clock.rewind()).toBe(true);
    expect(parseVersion(clock.tick())).toEqual({ ms: T, counter: 1, node: A });
  });

  it('leaves a clock alone that is ahead by no more than the bound (remote versions it adopted)', () => {
    const { clock } = clockAt(A);
    clock.receive(formatVersion(T + MAX_CLOCK_SKEW_MS, 3, B));
    expect(clock.rewind()).toBe(false);
    expect(clock.snapshot()).toEqual({ ms: T + MAX_CLOCK_SKEW_MS, counter: 3 });
  });
});
