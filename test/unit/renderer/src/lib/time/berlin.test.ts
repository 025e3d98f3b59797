import { describe, expect, it } from 'vitest';
import {
  addDays,
  berlinDate,
  berlinRange,
  berlinTime,
  berlinToUtc,
  startOfWeek,
  weekday,
} from '../../../../../../renderer/src/lib/time/berlin.js';

describe('Berlin wall-clock helpers', () => {
  it('convert winter and summer times to the right UTC instants and back', () => {
    expect(berlinToUtc('2026-01-13', '10:00')).toBe('2026-01-13T09:00:00.000Z');
    expect(berlinToUtc('2026-07-14', '10:00')).toBe('2026-07-14T08:00:00.000Z');
    expect(berlinTime('2026-07-14T08:00:00.000Z')).toBe('10:00');
    expect(berlinDate('2026-12-31T23:30:00.000Z')).toBe('2027-01-01');
  });

  it('handle the DST change days: the spring gap moves forward, the autumn repeat takes the first', () => {
    expect(berlinToUtc('2026-03-29', '01:30')).toBe('2026-03-29T00:30:00.000Z');
    expect(berlinToUtc('2026-03-29', '02:30')).toBe('2026-03-29T01:30:00.000Z'); // = 03:30 CEST
    expect(berlinToUtc('2026-03-29', '03:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(berlinToUtc('2026-10-25', '02:30')).toBe('2026-10-25T00:30:00.000Z');
    expect(berlinToUtc('2026-10-25', '03:30')).toBe('2026-10-25T02:30:00.000Z');
    // a Berlin day is 23 or 25 hours long on those days
    const spring = berlinRange('2026-03-29');
    expect(Date.parse(spring.to) - Date.parse(spring.from)).toBe(23 * 3600_000);
    const autumn = berlinRange('2026-10-25');
    expect(Date.parse(autumn.to) - Date.parse(autumn.from)).toBe(25 * 3600_000);
  });

  it('do calendar arithmetic on dates', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(weekday('2026-01-13')).toBe(1); // Tuesday
    expect(startOfWeek('2026-01-18')).toBe('2026-01-12');
  });
});
