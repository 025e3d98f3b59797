/**
 * The report's calendar: a billing month is a Berlin calendar month, a call's day is its Berlin date,
 * whatever zone the server runs in. Dates are 'YYYY-MM-DD' and months 'YYYY-MM' strings, so no Date
 * object carries a hidden local zone.
 */
export const BERLIN = 'Europe/Berlin';

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: BERLIN,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface BerlinFields {
  date: string;
  /** 'HH:MM' */
  time: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Berlin's offset from UTC per UTC hour: it changes only on the hour, twice a year, and a month's report asks 10,000 times. */
const offsets = new Map<number, number>();

function offsetMs(ms: number): number {
  const hour = Math.floor(ms / 3600_000);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const values: Record<string, string> = {};
    for (const part of formatter.formatToParts(hour * 3600_000)) values[part.type] = part.value;
    const wall = Date.UTC(
      Number(values.year),
      Number(values.month) - 1,
      Number(values.day),
      Number(values.hour),
      Number(values.minute),
    );
    offset = wall - hour * 3600_000;
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/** Berlin's date and time of an instant. */
export function berlinFields(iso: string | number): BerlinFields {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  const wall = new Date(ms + offsetMs(ms));
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
  };
}

export function berlinDate(iso: string | number): string {
  return berlinFields(iso).date;
}

/** The UTC instant of Berlin midnight starting `date` (midnight always exists in Berlin). */
export function berlinMidnightUtc(date: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d);
  // Berlin is UTC+1 or UTC+2: the instant whose Berlin date and time are this midnight.
  for (const offsetHours of [1, 2]) {
    const ms = wall - offsetHours * 3600_000;
    const f = berlinFields(ms);
    if (f.date === date && f.time === '00:00') return new Date(ms).toISOString();
  }
  throw new RangeError(`no Berlin midnight for ${date}`);
}

export function addDays(date: string, n: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Whole days from `from` to `to` (to exclusive). */
export function daysBetween(from: string, to: string): number {
  const ms = (date: string) => {
    const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, mo - 1, d);
  };
  return Math.round((ms(to) - ms(from)) / 86_400_000);
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(date: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7;
}

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

export function monthStart(month: string): string {
  if (!isMonth(month)) throw new RangeError(`"${month}" is not a month (YYYY-MM)`);
  return `${month}-01`;
}

export function nextMonth(month: string): string {
  return addDays(monthStart(month), 32).slice(0, 7);
}

export function previousMonth(month: string): string {
  return addDays(monthStart(month), -1).slice(0, 7);
}

/** The month's days as dates [from, to) and instants [fromIso, toIso). */
export function monthRange(month: string): { from: string; to: string; fromIso: string; toIso: string } {
  const from = monthStart(month);
  const to = monthStart(nextMonth(month));
  return { from, to, fromIso: berlinMidnightUtc(from), toIso: berlinMidnightUtc(to) };
}

/** The month an instant falls in, in Berlin. */
export function berlinMonth(iso: string | number): string {
  return berlinDate(iso).slice(0, 7);
}
