import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BUNDESLAENDER,
  WEEKDAYS,
  WEEKDAY_SHORT_DE,
  describeFirmScheduleDe,
  encodeSchedulePart,
  scheduleFromFields,
  type FirmMode,
  type FirmSchedulePart,
  type Weekday,
  type WeeklyHours,
} from '../../protocol/index.js';
import { TenantId } from '../../protocol/sync.js';
import { homeLayout } from '../home/layout.js';
import { AdminFailure, OfficeCa } from '../pki/office-ca.js';
import { serverNodeId } from '../sync/directory-publisher.js';
import { FirmScheduleExporter } from '../sync/firm-schedule-export.js';
import { readFirmSchedule, writeFirmSchedule } from '../sync/firm-schedule.js';
import { openAdminDatabase } from './admin-database.js';
import { directoryStoreFor } from './admin-directory.js';

/**
 * `tenant hours TENANT --home DIR …` sets parts of a firm's schedule as server-authored synced
 * fields (each given option replaces its part; the others stay) and prints the firm's week back.
 * On PGlite the server must be stopped (a second process must never open its database); a server
 * on PostgreSQL is written through --database while it runs, and its clients hear of it at once.
 */

type UsageErrorFactory = (message: string) => Error;

const DAY_BY_SHORT = new Map(WEEKDAYS.map((d) => [WEEKDAY_SHORT_DE[d].toLowerCase(), d] as const));

/** `--day "Di 08:00-12:00,13:00-15:00"` options into a week; a day named twice gets both lists. */
export function parseWeek(specs: string[], option: string, usage: UsageErrorFactory): WeeklyHours {
  const week = Object.fromEntries(WEEKDAYS.map((d) => [d, [] as { start: string; end: string }[]])) as WeeklyHours;
  for (const spec of specs) {
    const match = /^\s*(\p{L}{2})\s+(.+)$/u.exec(spec);
    const day: Weekday | undefined = match ? DAY_BY_SHORT.get(match[1]!.toLowerCase()) : undefined;
    if (!match || !day)
      throw usage(`${option} "${spec}": expected a weekday (Mo Di Mi Do Fr Sa So) and ranges, e.g. "Di 08:00-12:00"`);
    for (const range of match[2]!.split(',')) {
      const times = /^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$/.exec(range);
      if (!times) throw usage(`${option} "${spec}": "${range.trim()}" is not a range like 08:00-12:00`);
      week[day].push({ start: times[1]!.padStart(5, '0'), end: times[2]!.padStart(5, '0') });
    }
  }
  return week;
}

const ALWAYS = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])) as WeeklyHours;

/** The schedule parts the options set, validated: a value the sync API would refuse is a usage error. */
export function partsFromOptions(
  values: Record<string, unknown>,
  usage: UsageErrorFactory,
): Partial<Record<FirmSchedulePart, string | null>> {
  const strings = (name: string) => (Array.isArray(values[name]) ? (values[name] as string[]) : []);
  const parts: Partial<Record<FirmSchedulePart, string | null>> = {};
  const encode = <F extends FirmSchedulePart>(field: F, option: string, value: Parameters<typeof encodeSchedulePart<F>>[1]) => {
    try {
      parts[field] = encodeSchedulePart(field, value);
    } catch (error) {
      const issue = (error as { issues?: { message: string }[] }).issues?.[0]?.message ?? (error as Error).message;
      throw usage(`${option}: ${issue}`);
    }
  };
  if (values['no-hours']) encode('consultation', '--no-hours', {});
  else if (strings('day').length > 0) encode('consultation', '--day', parseWeek(strings('day'), '--day', usage));
  const land = values.bundesland;
  if (typeof land === 'string') {
    const upper = land.toUpperCase();
    if (!(BUNDESLAENDER as readonly string[]).includes(upper))
      throw usage(`--bundesland "${land}": expected one of ${BUNDESLAENDER.join(', ')}`);
    encode('bundesland', '--bundesland', upper as (typeof BUNDESLAENDER)[number]);
  }
  if (values['no-closures']) encode('closures', '--no-closures', []);
  else if (strings('closure').length > 0) {
    const closures = strings('closure').map((spec) => {
      const m = /^\s*(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?\s+(.+)$/.exec(spec);
      if (!m) throw usage(`--closure "${spec}": expected "YYYY-MM-DD[..YYYY-MM-DD] Grund"`);
      return { from: m[1]!, to: m[2] ?? m[1]!, reason: m[3]! };
    });
    encode('closures', '--closure', closures);
  }
  if (values['no-emergency']) parts.emergency = null;
  else if (typeof values.emergency === 'string') {
    const days = strings('emergency-day');
    encode('emergency', '--emergency', {
      number: values.emergency,
      hours: days.length > 0 ? parseWeek(days, '--emergency-day', usage) : ALWAYS,
    });
  } else if (strings('emergency-day').length > 0) throw usage('--emergency-day needs --emergency NUMBER');
  if (values['no-override']) parts.override = null;
  else if (typeof values.override === 'string') {
    if (!(['consultation', 'service', 'closed'] as const).includes(values.override as FirmMode))
      throw usage(`--override "${values.override}": expected consultation, service or closed`);
    const reason = typeof values['override-reason'] === 'string' ? values['override-reason'] : undefined;
    // Until reset ("bis auf Weiteres"): an end time is the app's switch, not the CLI's.
    encode('override', '--override', { mode: values.override as FirmMode, until: null, ...(reason ? { reason } : {}) });
  } else if (typeof values['override-reason'] === 'string') throw usage('--override-reason needs --override MODE');
  return parts;
}

export async function runTenantHours(argv: string[], usage: UsageErrorFactory): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        home: { type: 'string' },
        database: { type: 'string' },
        day: { type: 'string', multiple: true },
        'no-hours': { type: 'boolean' },
        bundesland: { type: 'string' },
        closure: { type: 'string', multiple: true },
        'no-closures': { type: 'boolean' },
        emergency: { type: 'string' },
        'emergency-day': { type: 'string', multiple: true },
        'no-emergency': { type: 'boolean' },
        override: { type: 'string' },
        'override-reason': { type: 'string' },
        'no-override': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.positionals.length !== 1) throw usage('expected exactly one tenant ID');
  const tenant = TenantId.safeParse(parsed.positionals[0]);
  if (!tenant.success) throw usage(`tenant ID "${parsed.positionals[0]}" is not valid`);
  const { values } = parsed;
  if (!values.home) throw usage('--home is required');
  const database = values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw usage('--database must be a postgres:// URL');
  const parts = partsFromOptions(values, usage);

  const home = resolve(values.home);
  const ca = new OfficeCa(home);
  if (!ca.exists()) throw new AdminFailure(`no CA in ${home}: run \`ca init --home ${home}\` first`);
  // Without --database the directory is the home's file: checked before a database is opened or made.
  if (!database && !(await ca.directory()).tenants.some((t) => t.id === tenant.data))
    throw new AdminFailure(`unknown tenant "${tenant.data}"`);
  const layout = homeLayout(home);
  // Only a read needs a database that exists already; a write makes it, as the server would.
  const db = await openAdminDatabase(home, database, Object.keys(parts).length === 0);
  try {
    // With --database the directory may live in it (`directory migrate`), else in the home's file.
    const directory = await (await directoryStoreFor(home, db)).read();
    if (!directory.tenants.some((t) => t.id === tenant.data)) throw new AdminFailure(`unknown tenant "${tenant.data}"`);
    const written =
      Object.keys(parts).length > 0 ? await writeFirmSchedule(db, serverNodeId(layout.serverNodeId), tenant.data, parts) : 0;
    // The PBX routes by the exported copy: a stopped server (PGlite) would leave it stale until it starts.
    if (written > 0) await new FirmScheduleExporter(db, layout.firmSchedules).refresh();
    const schedule = scheduleFromFields(await readFirmSchedule(db, tenant.data));
    const week = schedule
      ? describeFirmScheduleDe(schedule)
      : 'kein vollständiger Plan (es fehlen Bundesland oder Sprechstunde: --bundesland, --day/--no-hours)';
    return written > 0 ? `${tenant.data}: Plan gespeichert\n${week}` : `${tenant.data}: ${week}`;
  } finally {
    await db.close();
  }
}
