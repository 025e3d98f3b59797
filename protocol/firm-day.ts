/**
 * The firm's day as data: weekly consultation hours, service hours, Bundesland, closures, the
 * Notdienst number and an override. Times are Europe/Berlin wall-clock "HH:MM"; the mode a firm is in
 * at an instant is computed by firm-mode.ts. Validation errors name the offending range so the
 * admin CLI and the UI can point at it.
 */
import { z } from 'zod';

/** All 16 German states (ISO 3166-2:DE suffixes), the keys public holidays are looked up by. */
export const BUNDESLAENDER = [
  'BW',
  'BY',
  'BE',
  'BB',
  'HB',
  'HH',
  'HE',
  'MV',
  'NI',
  'NW',
  'RP',
  'SL',
  'SN',
  'ST',
  'SH',
  'TH',
] as const;
export const Bundesland = z.enum(BUNDESLAENDER);
export type Bundesland = z.infer<typeof Bundesland>;

/** Weekday keys in ISO order (Monday = index 0 = Temporal dayOfWeek 1). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** "HH:MM" wall-clock; "24:00" is allowed as an end so a range can reach midnight. */
export const WallTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'time must be "HH:MM" between 00:00 and 24:00');
export type WallTime = z.infer<typeof WallTime>;

/** Minutes since the wall-clock midnight of a "HH:MM" string (already validated). */
export function wallMinutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

export const TimeRange = z.object({ start: WallTime, end: WallTime }).refine((r) => wallMinutes(r.start) < wallMinutes(r.end), {
  error: (issue) => {
    const r = issue.input as { start: string; end: string };
    return `range ${r.start}–${r.end}: start must be before end (split a range over midnight at 24:00)`;
  },
});
export type TimeRange = z.infer<typeof TimeRange>;

/** The ranges of one weekday: at most 12, not overlapping (touching ranges are fine). */
export const DayRanges = z
  .array(TimeRange)
  .max(12, 'at most 12 ranges per day')
  .superRefine((ranges, ctx) => {
    const sorted = [...ranges].sort((a, b) => wallMinutes(a.start) - wallMinutes(b.start));
    for (let i = 1; i < sorted.length; i += 1) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (wallMinutes(cur.start) < wallMinutes(prev.end)) {
        ctx.addIssue({
          code: 'custom',
          message: `ranges ${prev.start}–${prev.end} and ${cur.start}–${cur.end} overlap`,
        });
      }
    }
  });
export type DayRanges = z.infer<typeof DayRanges>;

/** A week of ranges; a missing day has no hours. */
export const WeeklyHours = z.object({
  mon: DayRanges.default([]),
  tue: DayRanges.default([]),
  wed: DayRanges.default([]),
  thu: DayRanges.default([]),
  fri: DayRanges.default([]),
  sat: DayRanges.default([]),
  sun: DayRanges.default([]),
});
export type WeeklyHours = z.infer<typeof WeeklyHours>;

/** A calendar date "YYYY-MM-DD" that exists (no 2026-02-30). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be "YYYY-MM-DD"')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');
export type IsoDate = z.infer<typeof IsoDate>;

/** A closure (Betriebsurlaub …): whole days from `from` to `to`, both included. */
export const Closure = z
  .object({ from: IsoDate, to: IsoDate, reason: z.string().trim().min(1, 'a closure needs a reason').max(200) })
  .refine((c) => c.from <= c.to, {
    error: (issue) => {
      const c = issue.input as { from: string; to: string };
      return `closure ${c.from} – ${c.to}: the first day must not be after the last`;
    },
  });
export type Closure = z.infer<typeof Closure>;

/** A phone number as dialled: optional "+", digits, common separators. */
export const PhoneNumber = z
  .string()
  .trim()
  .max(32)
  .regex(/^\+?[0-9][0-9 ()/.-]*$/, 'not a phone number');

/** The Notdienst number and the wall-clock hours in which calls may be offered to it. */
export const Emergency = z.object({ number: PhoneNumber, hours: WeeklyHours });
export type Emergency = z.infer<typeof Emergency>;

export const FirmMode = z.enum(['consultation', 'service', 'closed']);
export type FirmMode = z.infer<typeof FirmMode>;

/** A manual mode until `until`; `null` means until reset ("bis auf Weiteres"). */
export const Override = z.object({
  mode: FirmMode,
  until: z.iso.datetime({ offset: true }).nullable(),
  reason: z.string().trim().max(200).optional(),
});
export type Override = z.infer<typeof Override>;

/**
 * One firm's schedule. `service` narrows the office service's schedule (the intersection is used);
 * `null` means the firm takes the office's hours as they are.
 */
export const FirmSchedule = z.object({
  bundesland: Bundesland,
  consultation: WeeklyHours,
  service: WeeklyHours.nullable().default(null),
  closures: z.array(Closure).max(200).default([]),
  emergency: Emergency.nullable().default(null),
  override: Override.nullable().default(null),
});
export type FirmSchedule = z.infer<typeof FirmSchedule>;
export type FirmScheduleInput = z.input<typeof FirmSchedule>;
