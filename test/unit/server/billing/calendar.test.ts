import { describe, expect, it } from 'vitest';
import { berlinFields, berlinMidnightUtc, monthRange, nextMonth, previousMonth } from '../../../../server/billing/calendar.js';

describe('the report calendar (Europe/Berlin)', () => {
  it('reads instants in Berlin time across both DST changes of 2026', () => {
    expect(berlinFields('2026-03-29T00:59:59Z')).toEqual({ date: '2026-03-29', time: '01:59' });
    expect(berlinFields('2026-03-29T01:00:00Z')).toEqual({ date: '2026-03-29', time: '03:00' });
    expect(berlinFields('2026-10-25T00:30:00Z')).toEqual({ date: '2026-10-25', time: '02:30' });
    expect(berlinFields('2026-10-25T01:30:00Z')).toEqual({ date: '2026-10-25', time: '02:30' });
    expect(berlinFields('2026-11-30T23:00:00Z')).toEqual({ date: '2026-12-01', time: '00:00' });
    expect(berlinFields('2026-06-30T21:59:00Z')).toEqual({ date: '2026-06-30', time: '23:59' });
  });

  it('bounds a month by Berlin midnights', () => {
    expect(berlinMidnightUtc('2026-07-01')).toBe('2026-06-30T22:00:00.000Z');
    expect(monthRange('2026-10')).toEqual({
      from: '2026-10-01',
      to: '2026-11-01',
      fromIso: '2026-09-30T22:00:00.000Z',
      toIso: '2026-10-31T23:00:00.000Z',
    });
    expect([nextMonth('2026-12'), previousMonth('2026-01')]).toEqual(['2027-01', '2025-12']);
    expect(() => monthRange('2026-13')).toThrow(RangeError);
  });
});
