/**
 * A firm's schedule as one line of German for people (the admin CLI prints it back; the app may show
 * it): "Sprechstunde Di 08:00–12:00, Do 14:00–18:00; Bundesland BY; Betriebsurlaub 24.12.–31.12.2026".
 */
import { WEEKDAYS, type FirmSchedule, type Override, type WeeklyHours } from './firm-day.js';

export const WEEKDAY_SHORT_DE: Record<(typeof WEEKDAYS)[number], string> = {
  mon: 'Mo',
  tue: 'Di',
  wed: 'Mi',
  thu: 'Do',
  fri: 'Fr',
  sat: 'Sa',
  sun: 'So',
};

const ranges = (day: WeeklyHours[keyof WeeklyHours]) =>
  [...day].sort((a, b) => a.start.localeCompare(b.start)).map((r) => `${r.start}–${r.end}`);

/** "Di 08:00–12:00 und 13:00–15:00, Do 14:00–18:00", "täglich 00:00–24:00", or "keine" for an empty week. */
export function describeWeekDe(week: WeeklyHours): string {
  const all = WEEKDAYS.map((d) => ranges(week[d]).join(' und '));
  if (all[0] && all.every((r) => r === all[0])) return `täglich ${all[0]}`;
  const days = WEEKDAYS.filter((d) => week[d].length > 0).map((d) => {
    return `${WEEKDAY_SHORT_DE[d]} ${ranges(week[d]).join(' und ')}`;
  });
  return days.length > 0 ? days.join(', ') : 'keine';
}

/** "24.12." of an ISO date, with the year when `withYear`. */
function dayDe(iso: string, withYear: boolean): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${withYear ? y : ''}`;
}

/** "24.12.–31.12.2026", "28.12.2026–02.01.2027" or "03.10.2026". */
export function describeDaysDe(from: string, to: string): string {
  if (from === to) return dayDe(from, true);
  return `${dayDe(from, from.slice(0, 4) !== to.slice(0, 4))}–${dayDe(to, true)}`;
}

const MODE_DE: Record<Override['mode'], string> = {
  consultation: 'Sprechstunde',
  service: 'Servicezeit',
  closed: 'nicht erreichbar',
};

function describeOverrideDe(override: Override): string {
  if (override.until === null) return `Ausnahme: ${MODE_DE[override.mode]} bis auf Weiteres`;
  const until = new Intl.DateTimeFormat('de-DE', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(override.until));
  return `Ausnahme: ${MODE_DE[override.mode]} bis ${until.replace(',', '')}`;
}

export function describeFirmScheduleDe(schedule: FirmSchedule): string {
  const parts = [`Sprechstunde ${describeWeekDe(schedule.consultation)}`];
  if (schedule.service) parts.push(`Servicezeit ${describeWeekDe(schedule.service)}`);
  parts.push(`Bundesland ${schedule.bundesland}`);
  for (const c of schedule.closures) parts.push(`${c.reason} ${describeDaysDe(c.from, c.to)}`);
  if (schedule.emergency) parts.push(`Notdienst ${schedule.emergency.number} (${describeWeekDe(schedule.emergency.hours)})`);
  if (schedule.override) parts.push(describeOverrideDe(schedule.override));
  return parts.join('; ');
}
