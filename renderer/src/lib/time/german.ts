import { addDays, berlinDate, berlinMinutes, berlinTime, berlinToUtc, weekday } from './berlin.js';
import type { WeekHours } from './slots.js';
import { GERMAN_MONTHS } from '../../../../protocol/german.js';

/**
 * Dates and times as Germans type and read them ("15.12.2026", "9:30"), independent of the
 * browser's locale: Chromium shows <input type=date> as mm/dd/yyyy in an en-US locale.
 * Internally dates stay 'YYYY-MM-DD' and times 'HH:MM' (see berlin.ts).
 */

export type Parsed = { ok: true; value: string } | { ok: false };

const pad = (n: number) => String(n).padStart(2, '0');

/** 'TT.MM.JJJJ' (also 'T.M.JJJJ' and two-digit years as 20JJ) to 'YYYY-MM-DD'; real calendar days only. */
export function parseGermanDate(text: string): Parsed {
  const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\s*$/.exec(text);
  if (!m) return { ok: false };
  const d = Number(m[1]);
  const mo = Number(m[2]);
  const y = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) {
    return { ok: false };
  }
  return { ok: true, value: `${y}-${pad(mo)}-${pad(d)}` };
}

/** 'HH:MM' (also 'H:MM', 'HH.MM' and a bare hour '9') to 'HH:MM'; 00:00–23:59 only. */
export function parseGermanTime(text: string): Parsed {
  const m = /^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:Uhr)?\s*$/i.exec(text);
  if (!m) return { ok: false };
  const h = Number(m[1]);
  const mi = Number(m[2] ?? 0);
  if (h > 23 || mi > 59) return { ok: false };
  return { ok: true, value: `${pad(h)}:${pad(mi)}` };
}

/** 'YYYY-MM-DD' to 'TT.MM.JJJJ'. */
export function formatGermanDate(date: string): string {
  const [y, mo, d] = date.split('-');
  return `${d}.${mo}.${y}`;
}

const WEEKDAYS = ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'];

/** What the teleworker reads back to the caller: "Dienstag, 15. Dezember 2026, 9:30 Uhr". */
export function readBack(date: string, time: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':');
  return `${WEEKDAYS[weekday(date)]}, ${d}. ${GERMAN_MONTHS[mo - 1]} ${y}, ${Number(h)}:${mi} Uhr`;
}

/** readBack of a stored UTC instant, in Berlin wall-clock time. */
export function readBackAt(iso: string): string {
  return readBack(berlinDate(iso), berlinTime(iso));
}

const QUARTER = 15;

/**
 * Where a new booking starts: the first quarter hour from `now` on that lies within the firm's
 * consultation hours (searching two weeks ahead), else simply the next quarter hour from now —
 * never a time already past. `busy` (UTC ranges) skips quarter hours that are taken.
 */
export function defaultStart(
  now: number,
  hours: WeekHours,
  busy: { start: string; end: string }[] = [],
): { date: string; time: string } {
  const today = berlinDate(now);
  const nowIso = new Date(now).toISOString();
  const fromMinute = Math.ceil((berlinMinutes(nowIso) + 1) / QUARTER) * QUARTER;
  const isBusy = (start: string) =>
    busy.some((b) => Date.parse(b.start) <= Date.parse(start) && Date.parse(start) < Date.parse(b.end));
  if (hours.some((d) => d.length > 0)) {
    for (let offset = 0; offset < 14; offset++) {
      const date = addDays(today, offset);
      for (const [a, b] of hours[weekday(date)] ?? []) {
        const first = Math.ceil(a / QUARTER) * QUARTER;
        for (let m = offset === 0 ? Math.max(first, fromMinute) : first; m + QUARTER <= b; m += QUARTER) {
          const time = `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
          const start = berlinToUtc(date, time);
          if (Date.parse(start) > now && !isBusy(start)) return { date, time };
        }
      }
    }
  }
  const next = new Date(Math.ceil((now + 1) / (QUARTER * 60_000)) * QUARTER * 60_000).toISOString();
  return { date: berlinDate(next), time: berlinTime(next) };
}
