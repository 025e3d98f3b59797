import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  berlinDate,
  berlinRange,
  berlinTime,
  berlinToUtc,
  startOfWeek,
  weekday,
} from '../../../renderer/src/lib/time/berlin.js';
import { writeIcs } from '../../../renderer/src/lib/time/ics.js';
import { overlaps, parseHours } from '../../../renderer/src/lib/time/slots.js';

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

describe('single-appointment .ics export', () => {
  it('is parsed by node-ical with the same instant, text and status', () => {
    const text = writeIcs({
      uid: 'abc',
      start: '2026-07-14T08:00:00.000Z',
      end: '2026-07-14T09:00:00.000Z',
      summary: 'Aufmaß; Küche, Bad',
      location: 'Hauptstraße 1\n50667 Köln',
      description: 'ä'.repeat(100),
      cancelled: true,
    });
    for (const line of text.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    const event = Object.values(ical.sync.parseICS(text)).find((c): c is VEvent => c?.type === 'VEVENT')!;
    expect(event.start.toISOString()).toBe('2026-07-14T08:00:00.000Z');
    expect(event.summary).toBe('Aufmaß; Küche, Bad');
    expect(event.location).toBe('Hauptstraße 1\n50667 Köln');
    expect(event.description).toBe('ä'.repeat(100));
    expect(event.status).toBe('CANCELLED');
  });
});
