import { WEEKDAYS, WeeklyHours, type Weekday } from '../../../../protocol/index.js';
import { parseGermanTime } from '../time/german.js';

/** A weekday's ranges as the week forms show them: "08:00-12:00, 14:00-18:00". */
export function rangesText(week: WeeklyHours, day: Weekday): string {
  return [...week[day]]
    .sort((a, b) => a.start.localeCompare(b.start))
    .map((r) => `${r.start}-${r.end}`)
    .join(', ');
}

/** "08:00-12:00, 14:00-18:00" (also "8-12") into ranges; undefined when a part is not a range. */
export function parseRanges(text: string): { start: string; end: string }[] | undefined {
  const out: { start: string; end: string }[] = [];
  for (const part of text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [a, b, ...rest] = part.split(/\s*[-–]\s*/);
    const start = parseGermanTime(a ?? '');
    const end = b === '24:00' ? ({ ok: true, value: '24:00' } as const) : parseGermanTime(b ?? '');
    if (rest.length > 0 || !start.ok || !end.ok) return undefined;
    out.push({ start: start.value, end: end.value });
  }
  return out;
}

/** Why a week typed into a form is not one, per weekday. */
export type WeekFault = { day: Weekday; kind: 'format' | 'order' };

/**
 * A week from one text per weekday, or the first day that is not a valid list of ranges: `format`
 * when a part is no range, `order` when a range ends before it starts or two ranges overlap.
 */
export function parseWeek(days: Record<Weekday, string>): { week: WeeklyHours } | { fault: WeekFault } {
  const week = {} as WeeklyHours;
  for (const day of WEEKDAYS) {
    const ranges = parseRanges(days[day]);
    if (!ranges) return { fault: { day, kind: 'format' } };
    week[day] = ranges;
  }
  const checked = WeeklyHours.safeParse(week);
  if (checked.success) return { week: checked.data };
  const day = checked.error.issues[0]?.path[0];
  return { fault: { day: (WEEKDAYS as readonly string[]).includes(String(day)) ? (day as Weekday) : 'mon', kind: 'order' } };
}
