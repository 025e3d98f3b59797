/**
 * VTIMEZONE for Europe/Berlin with the EU rules in force since 1996 (last Sunday of March 02:00 →
 * CEST, last Sunday of October 03:00 → CET). Static text rather than a tz database dependency:
 * the rules are stable, and clients use the TZID to find their own copy anyway.
 */
export const BERLIN = 'Europe/Berlin';

const BERLIN_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'X-LIC-LOCATION:Europe/Berlin',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/** The `timezone.generator` for ical-generator: only Berlin is ever used. */
export function vtimezone(tzid: string): string | null {
  return tzid === BERLIN ? BERLIN_VTIMEZONE : null;
}
