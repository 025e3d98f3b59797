import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import { writeIcs } from '../../../../../../renderer/src/lib/time/ics.js';

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
