import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Temporal } from 'temporal-polyfill';
import { WEEKDAYS, type FirmMode, type FirmSchedule, type WeeklyHours } from '../protocol/firm-day.js';
import { BERLIN, firmTimeline, wallInstant } from '../protocol/firm-mode.js';
import { DEFAULT_OFFICE_HOURS } from '../protocol/firm-schedule.js';
import type { HtableRow } from './directory-table.js';

/**
 * What Kamailio routes a firm's number by, as rows of the htable `firmday`: each firm's precomputed
 * mode timeline for the next days, so routing follows the schedule with the central server down,
 * switching at the instants firm-mode.ts computed (DST included) by comparing `$TS` only. Keys:
 *
 *     firm:TENANT:ring        INT  ms the first group rings before the fallback (default 20 000)
 *     firm:TENANT:fallback    INT  1: in `service` the craftsmen ring after the teleworkers
 *     tl:TENANT:n             INT  number of segments
 *     tl:TENANT:I:to          INT  end of segment I, epoch seconds (segments are contiguous, in order)
 *     tl:TENANT:I:mode        STR  consultation | service | closed
 *     tl:TENANT:I:nd          STR  the Notdienst number (E.164) when it may be used, else "-"
 *     tl:TENANT:I:wav         STR  the announcement for a closed segment (WAV path), else "-"
 *     tl:TENANT:I:wavms       INT  its length in ms
 *
 * A firm without a (valid) schedule has no `tl:` rows: its calls ring as they always did.
 */
export const FIRMDAY_HTABLE = 'firmday';
/** How far ahead the PBX holds each timeline; the stack renders it again long before it runs out. */
export const TIMELINE_DAYS = 14;
export const DEFAULT_RING_MS = 20_000;

/** The office's working hours while none are set as data (protocol/firm-schedule.ts). */
export { DEFAULT_OFFICE_HOURS };

export interface FirmRouting {
  tenant: string;
  name: string;
  /** undefined: no schedule yet (the legacy ring order applies). */
  schedule: FirmSchedule | undefined;
  /** The office's working hours the firm's record holds; absent: the `office` given to firmdayRows. */
  officeHours?: WeeklyHours;
  ringMs?: number;
  craftsmanFallback?: boolean;
}

export interface RoutingSegment {
  mode: FirmMode;
  /** [from, to) in epoch ms. */
  from: number;
  to: number;
  /** The Notdienst number (E.164) when this stretch is closed and its hours allow it. */
  emergency: string | null;
  /** The German announcement of a closed stretch. */
  announcement: string | null;
}

/** The Notdienst's hours as [from, to) instants over the Berlin days of the horizon. */
function emergencyIntervals(hours: WeeklyHours, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let day = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(BERLIN).toPlainDate();
  while (wallInstant(day, 0) < to) {
    for (const range of hours[WEEKDAYS[day.dayOfWeek - 1]!]) {
      const [sh, sm] = range.start.split(':').map(Number) as [number, number];
      const [eh, em] = range.end.split(':').map(Number) as [number, number];
      out.push([wallInstant(day, sh * 60 + sm), wallInstant(day, eh * 60 + em)]);
    }
    day = day.add({ days: 1 });
  }
  return out;
}

/** E.164 of a number as dialled (+49…, 0…); null when it is not one the trunk could take. */
export function e164(number: string): string | null {
  const parsed = parsePhoneNumberFromString(number.replace(/[\s()/.-]/g, ''), 'DE');
  return parsed?.isValid() || parsed?.isPossible() ? parsed.number : null;
}

const WHEN = new Intl.DateTimeFormat('de-DE', {
  timeZone: BERLIN,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  hour: 'numeric',
  minute: '2-digit',
});

/** "am Dienstag, 8. Dezember, um 8:00 Uhr" — spoken, so no abbreviations. */
export function whenDe(at: number): string {
  const parts = Object.fromEntries(WHEN.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `am ${parts.weekday}, ${parts.day}. ${parts.month}, um ${Number(parts.hour)}:${parts.minute} Uhr`;
}

export function announcementText(name: string, nextOpen: number | null, emergency: boolean): string {
  const next =
    nextOpen === null ? 'Wir sind bis auf Weiteres nicht erreichbar.' : `Wir sind wieder erreichbar ${whenDe(nextOpen)}.`;
  const end = emergency ? 'Wir verbinden Sie jetzt mit dem Notdienst.' : 'Bitte rufen Sie dann wieder an. Auf Wiederhören.';
  return `Sie sind verbunden mit ${name}. Zurzeit ist niemand erreichbar. ${next} ${end}`;
}

/**
 * The firm's mode timeline from `now`, closed stretches split where the Notdienst's hours begin or
 * end, each closed stretch with its announcement (firm name, when next reachable).
 */
export function routingSegments(
  firm: { name: string; schedule: FirmSchedule },
  office: WeeklyHours,
  now: number,
  days = TIMELINE_DAYS,
): RoutingSegment[] {
  const timeline = firmTimeline(firm.schedule, office, now, days);
  const emergency = firm.schedule.emergency;
  const number = emergency ? e164(emergency.number) : null;
  const horizon = timeline[timeline.length - 1]?.to ?? now;
  const windows = emergency && number ? emergencyIntervals(emergency.hours, now, horizon) : [];
  const out: RoutingSegment[] = [];
  timeline.forEach((seg, index) => {
    if (seg.mode !== 'closed') {
      out.push({ mode: seg.mode, from: seg.from, to: seg.to, emergency: null, announcement: null });
      return;
    }
    const nextOpen = timeline.slice(index + 1).find((s) => s.mode !== 'closed')?.from ?? null;
    const cuts = new Set([seg.from, seg.to]);
    for (const [a, b] of windows) for (const t of [a, b]) if (t > seg.from && t < seg.to) cuts.add(t);
    const sorted = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < sorted.length; i += 1) {
      const from = sorted[i]!;
      const allowed = windows.some(([a, b]) => a <= from && from < b);
      out.push({
        mode: 'closed',
        from,
        to: sorted[i + 1]!,
        emergency: allowed ? number : null,
        announcement: announcementText(firm.name, nextOpen, allowed),
      });
    }
  });
  // Neighbours that route alike are one segment for the PBX.
  return out.reduce<RoutingSegment[]>((acc, seg) => {
    const last = acc[acc.length - 1];
    if (last && last.mode === seg.mode && last.emergency === seg.emergency && last.announcement === seg.announcement) {
      last.to = seg.to;
    } else acc.push({ ...seg });
    return acc;
  }, []);
}

/** The WAV file name an announcement text gets (the same text is spoken once). */
export function announcementFile(text: string): string {
  return `${createHash('sha256').update(text).digest('hex').slice(0, 24)}.wav`;
}

function safeTenant(value: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(value)) throw new Error(`tenant ${JSON.stringify(value)} cannot go into the PBX`);
  return value;
}

export interface Announcement {
  path: string;
  ms: number;
}

/**
 * The rows of htable `firmday` for these firms at `now`; `announce` names the WAV of a text (`now`:
 * the stretch holds now, so a call may need its announcement at once).
 */
export function firmdayRows(
  firms: readonly FirmRouting[],
  /** The office's hours for a firm whose record holds none. */
  office: WeeklyHours,
  now: number,
  announce: (text: string, now: boolean) => Announcement,
  days = TIMELINE_DAYS,
): HtableRow[] {
  const rows: HtableRow[] = [];
  const row = (key: string, value: string | number) => rows.push({ key, array: false, value });
  for (const firm of firms) {
    const t = safeTenant(firm.tenant);
    row(`firm:${t}:ring`, Math.max(1000, Math.round(firm.ringMs ?? DEFAULT_RING_MS)));
    row(`firm:${t}:fallback`, firm.craftsmanFallback ? 1 : 0);
    if (!firm.schedule) continue;
    const segments = routingSegments({ name: firm.name, schedule: firm.schedule }, firm.officeHours ?? office, now, days);
    row(`tl:${t}:n`, segments.length);
    segments.forEach((seg, i) => {
      row(`tl:${t}:${i}:to`, Math.floor(seg.to / 1000));
      row(`tl:${t}:${i}:mode`, seg.mode);
      row(`tl:${t}:${i}:nd`, seg.emergency ?? '-');
      const wav = seg.announcement === null ? null : announce(seg.announcement, i === 0);
      row(`tl:${t}:${i}:wav`, wav?.path ?? '-');
      row(`tl:${t}:${i}:wavms`, wav?.ms ?? 0);
    });
  }
  return rows;
}
