/**
 * Which mode a firm is in at an instant, and the mode changes ahead: a pure function of the schedule,
 * the office's service hours and the instant, so server, core, renderer and the PBX timeline agree.
 * Precedence: override > closure/holiday > weekly schedule (consultation before service).
 * Days are Europe/Berlin calendar days; wall-clock times in the DST gap map to the switch instant and
 * the repeated autumn hour takes its wall-clock mode, so a range behaves as the wall clock says.
 */
import { getHolidays } from 'feiertagejs';
import { Temporal } from 'temporal-polyfill';
import {
  WEEKDAYS,
  wallMinutes,
  type Bundesland,
  type DayRanges,
  type FirmMode,
  type FirmSchedule,
  type WeeklyHours,
} from './firm-day.js';

export const BERLIN = 'Europe/Berlin';

export type ModeReason =
  | { kind: 'override'; label: string | null }
  | { kind: 'closure'; label: string }
  | { kind: 'holiday'; label: string }
  | { kind: 'consultation_hours' }
  | { kind: 'service_hours' }
  | { kind: 'outside_hours' };

/** A stretch of one mode for one reason: [from, to) in epoch milliseconds. */
export interface ModeSegment {
  mode: FirmMode;
  from: number;
  to: number;
  reason: ModeReason;
}

export interface ModeChange {
  at: number;
  mode: FirmMode;
  reason: ModeReason;
}

export interface FirmModeNow {
  mode: FirmMode;
  reason: ModeReason;
  /** When the mode next changes; null when an open override holds or nothing changes in the horizon. */
  until: number | null;
  /** Mode changes after now within the horizon, in order (each differs in mode from the one before). */
  changes: ModeChange[];
  /** The Notdienst number when one is set and its hours cover now. */
  emergencyNumber: string | null;
}

const holidayCache = new Map<string, Map<string, string>>();

/** Public holidays of a state in a year: "YYYY-MM-DD" → German name (feiertagejs). */
export function holidaysOf(bundesland: Bundesland, year: number): Map<string, string> {
  const key = `${bundesland}:${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    days = new Map();
    // `dateString` follows the process time zone; `date` is noon UTC of the German day everywhere.
    for (const h of getHolidays(year, bundesland)) {
      days.set(h.date.toISOString().slice(0, 10), h.translate('de') ?? h.name);
    }
    holidayCache.set(key, days);
  }
  return days;
}

/** The instant of a Berlin wall-clock minute of a day; a minute in the spring gap maps to the switch. */
export function wallInstant(date: Temporal.PlainDate, minutes: number): number {
  if (minutes >= 24 * 60) return wallInstant(date.add({ days: 1 }), minutes - 24 * 60);
  const wall = date.toPlainDateTime({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  const zoned = wall.toZonedDateTime(BERLIN, { disambiguation: 'compatible' });
  if (Temporal.PlainDateTime.compare(zoned.toPlainDateTime(), wall) === 0) return zoned.epochMilliseconds;
  const transition = zoned.getTimeZoneTransition('previous');
  return transition ? transition.epochMilliseconds : zoned.epochMilliseconds;
}

function rangesOf(week: WeeklyHours, date: Temporal.PlainDate): DayRanges {
  return week[WEEKDAYS[date.dayOfWeek - 1]!];
}

function covers(ranges: DayRanges, minute: number): boolean {
  return ranges.some((r) => wallMinutes(r.start) <= minute && minute < wallMinutes(r.end));
}

/** Office ranges cut to the firm's own service ranges. */
function intersect(office: DayRanges, firm: DayRanges): DayRanges {
  const out: { start: string; end: string }[] = [];
  for (const a of office) {
    for (const b of firm) {
      const start = Math.max(wallMinutes(a.start), wallMinutes(b.start));
      const end = Math.min(wallMinutes(a.end), wallMinutes(b.end));
      if (start < end) out.push({ start: hhmm(start), end: hhmm(end) });
    }
  }
  return out;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Why a whole day is closed: a closure (first listed wins) before a public holiday; null if neither. */
export function dayClosedReason(schedule: FirmSchedule, date: string): ModeReason | null {
  const closure = schedule.closures.find((c) => c.from <= date && date <= c.to);
  if (closure) return { kind: 'closure', label: closure.reason };
  const holiday = holidaysOf(schedule.bundesland, Number(date.slice(0, 4))).get(date);
  return holiday ? { kind: 'holiday', label: holiday } : null;
}

function sameReason(a: ModeReason, b: ModeReason): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function push(out: ModeSegment[], seg: ModeSegment): void {
  if (seg.to <= seg.from) return;
  const last = out[out.length - 1];
  if (last && last.mode === seg.mode && sameReason(last.reason, seg.reason) && last.to === seg.from) {
    last.to = seg.to;
  } else {
    out.push({ ...seg });
  }
}

/** The segments of one Berlin day by closures, holidays and the weekly schedule (no override). */
function daySegments(schedule: FirmSchedule, office: WeeklyHours, date: Temporal.PlainDate, out: ModeSegment[]) {
  const dayStart = wallInstant(date, 0);
  const dayEnd = wallInstant(date.add({ days: 1 }), 0);
  const closed = dayClosedReason(schedule, date.toString());
  if (closed) {
    push(out, { mode: 'closed', from: dayStart, to: dayEnd, reason: closed });
    return;
  }
  const consultation = rangesOf(schedule.consultation, date);
  const officeRanges = rangesOf(office, date);
  const service = schedule.service ? intersect(officeRanges, rangesOf(schedule.service, date)) : officeRanges;
  const bounds = new Set<number>([0, 24 * 60]);
  for (const r of [...consultation, ...service]) {
    bounds.add(wallMinutes(r.start));
    bounds.add(wallMinutes(r.end));
  }
  const sorted = [...bounds].sort((a, b) => a - b);
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const minute = sorted[i]!;
    const seg: Omit<ModeSegment, 'from' | 'to'> = covers(consultation, minute)
      ? { mode: 'consultation', reason: { kind: 'consultation_hours' } }
      : covers(service, minute)
        ? { mode: 'service', reason: { kind: 'service_hours' } }
        : { mode: 'closed', reason: { kind: 'outside_hours' } };
    push(out, { ...seg, from: wallInstant(date, minute), to: wallInstant(date, sorted[i + 1]!) });
  }
}

/**
 * The firm's segments from `now` for `days` Berlin days, override applied: the first segment
 * contains `now`. This is the timeline a PBX can hold to keep routing without the server.
 */
export function firmTimeline(schedule: FirmSchedule, officeService: WeeklyHours, now: number, days = 7): ModeSegment[] {
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(BERLIN).toPlainDate();
  const base: ModeSegment[] = [];
  for (let d = 0; d <= days; d += 1) daySegments(schedule, officeService, today.add({ days: d }), base);
  const horizon = base[base.length - 1]!.to;
  const out: ModeSegment[] = [];
  const override = schedule.override;
  const overrideEnd = override ? (override.until === null ? Infinity : Date.parse(override.until)) : -Infinity;
  if (override && overrideEnd > now) {
    const reason: ModeReason = { kind: 'override', label: override.reason ?? null };
    push(out, { mode: override.mode, from: now, to: Math.min(overrideEnd, horizon), reason });
  }
  for (const seg of base) {
    const from = Math.max(seg.from, now, overrideEnd);
    push(out, { ...seg, from, to: seg.to });
  }
  return out;
}

function emergencyAt(schedule: FirmSchedule, now: number): string | null {
  if (!schedule.emergency) return null;
  const zoned = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(BERLIN);
  const ranges = rangesOf(schedule.emergency.hours, zoned.toPlainDate());
  return covers(ranges, zoned.hour * 60 + zoned.minute) ? schedule.emergency.number : null;
}

/** The firm's mode at `now`, why, until when, and the mode changes in the next `days` days. */
export function firmModeAt(schedule: FirmSchedule, officeService: WeeklyHours, now: number, days = 7): FirmModeNow {
  const timeline = firmTimeline(schedule, officeService, now, days);
  const first = timeline[0]!;
  const changes: ModeChange[] = [];
  let mode = first.mode;
  for (const seg of timeline.slice(1)) {
    if (seg.mode !== mode) changes.push({ at: seg.from, mode: seg.mode, reason: seg.reason });
    mode = seg.mode;
  }
  const openOverride = first.reason.kind === 'override' && schedule.override?.until === null;
  return {
    mode: first.mode,
    reason: first.reason,
    until: openOverride ? null : (changes[0]?.at ?? null),
    changes: openOverride ? [] : changes,
    emergencyNumber: emergencyAt(schedule, now),
  };
}
