import ical, { ICalCalendarMethod, ICalEventStatus, type ICalDateTimeValue } from 'ical-generator';
import { Temporal } from 'temporal-polyfill';
import { stripUnsafeText } from '../../protocol/index.js';
import type { FeedAppointment } from './appointments.js';
import { BERLIN, vtimezone } from './vtimezone.js';

const DEFAULT_MINUTES = 60;
/** RFC 5545 SEQUENCE is an INTEGER (32-bit signed). */
const MAX_SEQUENCE = 2_147_483_647n;

/** ical-generator writes a Temporal.ZonedDateTime as Berlin wall-clock time with TZID, independent of the process TZ. */
function berlin(iso: string): ICalDateTimeValue {
  return Temporal.Instant.fromEpochMilliseconds(Date.parse(iso)).toZonedDateTimeISO(BERLIN);
}

/**
 * iCalendar text cannot carry control characters, nor UTF-8 a broken surrogate: the app refuses
 * to write them, but a value from an older client may hold one, and must not spoil the whole feed.
 */
function text(value: string): string;
function text(value: string | null): string | null;
function text(value: string | null): string | null {
  return value === null ? null : stripUnsafeText(value);
}

function description(a: FeedAppointment): string | null {
  const parts = [a.contactName ? `Kunde: ${text(a.contactName)}` : null, text(a.notes)].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join('\n\n') : null;
}

/**
 * The firm's appointments as one iCalendar feed. UID = appointment id (stable across edits);
 * SEQUENCE = the greatest change sequence among its fields, so every accepted edit raises it;
 * cancelled and deleted appointments stay in the feed as STATUS:CANCELLED so subscribed
 * calendars remove them instead of keeping a stale copy.
 */
export function renderFeed(firmName: string, appointments: FeedAppointment[], now = new Date()): string {
  const calendar = ical({
    name: `Termine – ${text(firmName)}`,
    prodId: { company: 'Vermittlung', product: 'Termine', language: 'DE' },
    method: ICalCalendarMethod.PUBLISH,
    // Calendar apps that honour it refresh every 15 minutes (most poll on their own schedule).
    ttl: 15 * 60,
    timezone: { name: null, generator: vtimezone },
  });
  for (const a of appointments) {
    const start = Date.parse(a.startsAt);
    const end = a.endsAt && Date.parse(a.endsAt) > start ? a.endsAt : new Date(start + DEFAULT_MINUTES * 60_000).toISOString();
    const cancelled = a.deleted || a.status === 'cancelled';
    calendar.createEvent({
      id: a.id,
      sequence: Number(a.seq > MAX_SEQUENCE ? MAX_SEQUENCE : a.seq),
      start: berlin(a.startsAt),
      end: berlin(end),
      timezone: BERLIN,
      stamp: now,
      ...(a.modifiedMs > 0 ? { lastModified: new Date(a.modifiedMs) } : {}),
      summary: [text(a.subject) ?? 'Termin', text(a.contactName)].filter(Boolean).join(' – '),
      location: text(a.place),
      description: description(a),
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
