import { describe, expect, it } from 'vitest';
import { overlaps, parseHours } from '../../../../../../renderer/src/lib/time/slots.js';

describe('consultation hours and overlaps', () => {
  it('parse "Mo–Fr 8–12, 13–17; Sa 9–12"', () => {
    const h = parseHours('Mo–Fr 8–12, 13–17; Sa 9–12');
    expect(h[0]).toEqual([
      [480, 720],
      [780, 1020],
    ]);
    expect(h[5]).toEqual([[540, 720]]);
    expect(h[6]).toEqual([]);
    expect(parseHours('Di 8:30-12')[1]).toEqual([[510, 720]]);
    expect(parseHours('nach Vereinbarung').every((d) => d.length === 0)).toBe(true);
  });

  it('find overlapping intervals, touching ones do not overlap', () => {
    expect(overlaps('2026-01-13T09:00:00Z', '2026-01-13T10:00:00Z', '2026-01-13T09:30:00Z', '2026-01-13T10:30:00Z')).toBe(true);
    expect(overlaps('2026-01-13T09:00:00Z', '2026-01-13T10:00:00Z', '2026-01-13T10:00:00Z', '2026-01-13T11:00:00Z')).toBe(false);
  });
});
