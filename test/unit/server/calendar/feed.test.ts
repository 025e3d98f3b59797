import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import type { FeedAppointment } from '../../../../server/calendar/appointments.js';
import { renderFeed } from '../../../../server/calendar/feed.js';
import { newCalendarToken, tenantByToken, TOKEN_PATTERN } from '../../../../server/calendar/token.js';
import type { Directory } from '../../../../server/home/directory.js';

const base: FeedAppointment = {
  id: '11111111-1111-4111-8111-111111111111',
  startsAt: '2026-10-25T01:30:00.000Z',
  endsAt: null,
  place: null,
  subject: null,
  notes: 'Schlüssel beim Nachbarn',
  status: 'planned',
  deleted: false,
  contactName: null,
  seq: 7n,
  modifiedMs: Date.parse('2026-10-01T12:00:00Z'),
};

describe('calendar feed rendering', () => {
  it('writes Berlin wall-clock times on both sides of the October change and keeps UTC instants', () => {
    // 01:30Z on 25 Oct 2026 is 02:30 CET, after the clocks went back from 03:00 CEST
    const text = renderFeed('Tischlerei', [
      base,
      { ...base, id: '22222222-2222-4222-8222-222222222222', startsAt: '2026-10-24T23:30:00.000Z' },
    ]);
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20261025T023000');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20261025T013000');
    const parsed = Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
    expect(parsed.map((e) => e.start.toISOString()).sort()).toEqual(['2026-10-24T23:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    expect(parsed[0]!.sequence).toBe(7);
    expect(parsed[0]!.summary).toBe('Termin');
    expect(parsed[0]!.description).toBe('Schlüssel beim Nachbarn');
  });

  it('does not depend on the server process time zone', () => {
    const text = renderFeed('X', [base]);
    expect(text).toMatch(/DTSTAMP:\d{8}T\d{6}Z/);
    expect(text).toContain('LAST-MODIFIED:20261001T120000Z');
  });

  it('cancels deleted and cancelled appointments and caps SEQUENCE at the RFC 5545 integer range', () => {
    const text = renderFeed('X', [{ ...base, deleted: true, seq: 2n ** 40n }]);
    expect(text).toContain('STATUS:CANCELLED');
    expect(text).toContain('SEQUENCE:2147483647');
  });
});

describe('calendar tokens', () => {
  const directory = (tokens: (string | undefined)[]): Directory => ({
    version: 1,
    users: [],
    tenants: tokens.map((t, i) => ({ id: `firm${i}`, name: `Firm ${i}`, numbers: [], ...(t ? { calendarToken: t } : {}) })),
  });

  it('are 43 base64url characters and differ each time', () => {
    const a = newCalendarToken();
    expect(a).toMatch(TOKEN_PATTERN);
    expect(newCalendarToken()).not.toBe(a);
  });

  it('find exactly their own firm; malformed, empty and foreign tokens find none', () => {
    const [a, b] = [newCalendarToken(), newCalendarToken()];
    const d = directory([a, undefined, b]);
    expect(tenantByToken(d, a)?.id).toBe('firm0');
    expect(tenantByToken(d, b)?.id).toBe('firm2');
    expect(tenantByToken(d, newCalendarToken())).toBeUndefined();
    expect(tenantByToken(d, '')).toBeUndefined();
    expect(tenantByToken(d, a.slice(0, 42))).toBeUndefined();
    expect(tenantByToken(d, `${a}x`)).toBeUndefined();
  });
});
