import type { Appointment } from '../../../../protocol/index.js';
import { berlinRange, berlinToUtc, weekday } from './berlin.js';

const DAYS = ['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So'];
const DAY = '(Mo|Di|Mi|Do|Fr|Sa|So)';
const DAY_SPEC = new RegExp(`${DAY}(?:\\s*[-–]\\s*${DAY})?`, 'g');
const RANGE = /(\d{1,2})(?:[:.](\d{2}))?\s*[-–]\s*(\d{1,2})(?:[:.](\d{2}))?/g;

/** Minute ranges [from, to) per weekday (0 = Monday). */
export type WeekHours = [number, number][][];

/**
 * Reads the firm's consultation hours as IT writes them in the directory ("Mo–Fr 8–12, 13–17;
 * Sa 9–12"). Text it cannot read gives no hours, and the form then just shows the text.
 */
export function parseHours(text: string | null | undefined): WeekHours {
  const week: WeekHours = DAYS.map(() => []);
  if (!text) return week;
  const specs = [...text.matchAll(DAY_SPEC)];
  let waiting: number[] = [];
  specs.forEach((spec, i) => {
    const from = DAYS.indexOf(spec[1]!);
    const to = spec[2] ? DAYS.indexOf(spec[2]) : from;
    for (let d = from; d <= (to >= from ? to : from); d++) waiting.push(d);
    const tail = text.slice(spec.index + spec[0].length, specs[i + 1]?.index ?? text.length);
    const ranges = [...tail.matchAll(RANGE)].map(
      (m) => [Number(m[1]) * 60 + Number(m[2] ?? 0), Number(m[3]) * 60 + Number(m[4] ?? 0)] as [number, number],
    );
    if (ranges.length === 0) return; // "Mo, Mi 8–12": Mo takes the times that follow
    for (const d of waiting) week[d]!.push(...ranges.filter(([a, b]) => a < b && b <= 24 * 60));
    waiting = [];
  });
  return week;
}

export function overlaps(aStart: string, aEnd: string, bStart: string, bEnd: string): boolean {
  return Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);
}

export const DEFAULT_MINUTES = 60;

export function endOf(a: Pick<Appointment, 'starts_at' | 'ends_at'>): string {
  return a.ends_at ?? new Date(Date.parse(a.starts_at) + DEFAULT_MINUTES * 60_000).toISOString();
}

/** Active appointments that overlap [start, end), except `ignoreId` (the one being edited). */
export function conflicts(items: Appointment[], start: string, end: string, ignoreId?: string): Appointment[] {
  return items.filter((a) => a.id !== ignoreId && a.status !== 'cancelled' && overlaps(a.starts_at, endOf(a), start, end));
}

export interface Slot {
  time: string;
  start: string;
  busy: boolean;
  inHours: boolean;
}

/** Half-hour slots of a Berlin day from 07:00 to 19:00 (wider if the hours say so). */
export function daySlots(date: string, items: Appointment[], hours: WeekHours, minutes: number): Slot[] {
  const ranges = hours[weekday(date)] ?? [];
  const first = Math.min(7 * 60, ...ranges.map(([a]) => a));
  const last = Math.max(19 * 60, ...ranges.map(([, b]) => b));
  const day = berlinRange(date);
  const slots: Slot[] = [];
  for (let m = first; m + 30 <= last; m += 30) {
    const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const start = berlinToUtc(date, time);
    if (start < day.from || start >= day.to) continue;
    const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
    slots.push({
      time,
      start,
      busy: conflicts(items, start, end).length > 0,
      inHours: ranges.some(([a, b]) => m >= a && m + minutes <= b),
    });
  }
  return slots;
}
