import { addDays, berlinDate, berlinTime, berlinToUtc, weekday } from './berlin.js';
import { parseGermanDate, parseGermanTime } from './german.js';

/**
 * The callback window of a message as the teleworker types it and the craftsman reads it: "heute bis
 * 16 Uhr", "morgen 10:30", "bis 16", "Freitag bis 12 Uhr", "15.12.2026 9 Uhr". Stored as the instant
 * the callback is due (`note.callback_due`), so "heute" still means the day it was written tomorrow.
 */

const DAYS = ['montag', 'dienstag', 'mittwoch', 'donnerstag', 'freitag', 'samstag', 'sonntag'];
const SHORT_DAYS = ['Mo.', 'Di.', 'Mi.', 'Do.', 'Fr.', 'Sa.', 'So.'];

export type WindowParse = { ok: true; due: string } | { ok: false };

/** The due instant (UTC ISO) of a typed window, relative to `now`; a bare time already past means tomorrow. */
export function parseCallbackWindow(text: string, now: number): WindowParse {
  const words = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!words) return { ok: false };
  const m =
    /^(?:(heute|morgen|übermorgen|(?!bis\b)[a-zäöü]+\.?|\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?)\s*,?\s*)?(?:bis\s+)?(\d{1,2}(?:[:.]\d{2})?)\s*(?:uhr)?$/.exec(
      words,
    );
  if (!m) return { ok: false };
  const time = parseGermanTime(m[2]!);
  if (!time.ok) return { ok: false };
  const today = berlinDate(now);
  const day = m[1];
  let date: string | undefined;
  if (day === undefined) {
    date = today;
    if (Date.parse(berlinToUtc(today, time.value)) <= now) date = addDays(today, 1);
  } else if (day === 'heute') date = today;
  else if (day === 'morgen') date = addDays(today, 1);
  else if (day === 'übermorgen') date = addDays(today, 2);
  else if (/^\d/.test(day)) {
    const withYear = /\.\d{2,4}$/.test(day) ? day : `${day}${today.slice(0, 4)}`;
    const parsed = parseGermanDate(withYear);
    if (!parsed.ok) return { ok: false };
    date = parsed.value;
  } else {
    const index = DAYS.findIndex((name) => name === day || name.slice(0, 2) === day.replace(/\.$/, ''));
    if (index < 0) return { ok: false };
    // The next such weekday, today included.
    date = addDays(today, (index - weekday(today) + 7) % 7);
  }
  return { ok: true, due: berlinToUtc(date, time.value) };
}

function clock(time: string): string {
  const [h, mi] = time.split(':');
  return mi === '00' ? `${Number(h)} Uhr` : `${Number(h)}:${mi} Uhr`;
}

/** "heute bis 16 Uhr", "morgen bis 10:30 Uhr", "Fr., 18.12. bis 12 Uhr" — in Berlin time, relative to `now`. */
export function describeCallbackDue(due: string, now: number): string {
  const date = berlinDate(due);
  const today = berlinDate(now);
  const until = `bis ${clock(berlinTime(due))}`;
  if (date === today) return `heute ${until}`;
  if (date === addDays(today, 1)) return `morgen ${until}`;
  if (date === addDays(today, -1)) return `gestern ${until}`;
  const [, mo, d] = date.split('-');
  return `${SHORT_DAYS[weekday(date)]}, ${d}.${mo}. ${until}`;
}
