/**
 * Europe/Berlin wall-clock helpers. Appointments are stored as UTC instants; people book and read
 * them as Berlin wall-clock times, whatever time zone the PC is set to, and across DST changes.
 * Dates are 'YYYY-MM-DD' strings and times 'HH:MM', so no Date object carries a hidden local zone.
 */
export const BERLIN = 'Europe/Berlin';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: BERLIN,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function fields(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const get = (type: string) => Number(parts.formatToParts(ms).find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** Berlin's offset from UTC in ms at an instant (+1 h in winter, +2 h in summer). */
export function berlinOffsetMs(ms: number): number {
  const f = fields(ms);
  return Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s) - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 'YYYY-MM-DD' of an instant in Berlin. */
export function berlinDate(iso: string | number): string {
  const f = fields(typeof iso === 'number' ? iso : Date.parse(iso));
  return `${f.y}-${pad(f.mo)}-${pad(f.d)}`;
}

/** 'HH:MM' of an instant in Berlin. */
export function berlinTime(iso: string | number): string {
  const f = fields(typeof iso === 'number' ? iso : Date.parse(iso));
  return `${pad(f.h)}:${pad(f.mi)}`;
}

/** Minutes since Berlin midnight of an instant. */
export function berlinMinutes(iso: string): number {
  const f = fields(Date.parse(iso));
  return f.h * 60 + f.mi;
}

/**
 * The UTC instant of a Berlin wall-clock time. A time in the spring-forward gap (02:00–02:59 on
 * the last Sunday of March) does not exist and lands an hour later; a time repeated in autumn
 * resolves to its first (summer-time) occurrence.
 */
export function berlinToUtc(date: string, time: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // Berlin is UTC+2 (summer) or UTC+1 (winter): try the earlier instant first.
  const valid = [wall - 2 * 3600_000, wall - 3600_000].filter((ms) => {
    const f = fields(ms);
    return f.y === y && f.mo === mo && f.d === d && f.h === h && f.mi === mi;
  });
  return new Date(valid[0] ?? wall - 3600_000).toISOString();
}

/** A calendar date plus n days (n may be negative). */
export function addDays(date: string, n: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(date: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7;
}

export function startOfWeek(date: string): string {
  return addDays(date, -weekday(date));
}

/** The UTC instants bounding Berlin days [from, from + days). */
export function berlinRange(from: string, days = 1): { from: string; to: string } {
  return { from: berlinToUtc(from, '00:00'), to: berlinToUtc(addDays(from, days), '00:00') };
}

export function todayInBerlin(now = Date.now()): string {
  return berlinDate(now);
}
