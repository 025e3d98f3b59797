import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeWeekDe,
  OFFICE_HOURS_FIELD,
  officeHoursFromFields,
  OfficeHours,
  type WeeklyHours,
} from '../../protocol/index.js';
import { homeLayout } from '../home/layout.js';
import { AdminFailure, OfficeCa } from '../pki/office-ca.js';
import { serverNodeId } from '../sync/directory-publisher.js';
import { FirmScheduleExporter } from '../sync/firm-schedule-export.js';
import { readFirmSchedule, writeFirmSchedule } from '../sync/firm-schedule.js';
import { directoryStoreFor } from './admin-directory.js';
import { openAdminDatabase } from './admin-database.js';
import { parseWeek } from './firm-hours.js';

/**
 * `service hours --home DIR [--day "Mo 08:00-18:00"]…` sets the office's own working hours, which every
 * firm's Servicezeit follows: the same server-authored `office_hours` field into every firm's schedule
 * record (docs/firm-day.md), then the PBX's copy refreshed; printed back as a readable week. Without
 * --day it only prints them. The database rules are those of `tenant hours`.
 */

export async function runServiceHours(args: string[], usage: (message: string) => Error): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { home: { type: 'string' }, database: { type: 'string' }, day: { type: 'string', multiple: true } },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values } = parsed;
  if (!values.home) throw usage('--home is required');
  const database = values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw usage('--database must be a postgres:// URL');
  let hours: WeeklyHours | undefined;
  if (values.day && values.day.length > 0) {
    const checked = OfficeHours.safeParse(parseWeek(values.day, '--day', usage));
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw usage(`--day: ${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`);
    }
    hours = checked.data;
  }

  const home = resolve(values.home);
  const ca = new OfficeCa(home);
  if (!ca.exists()) throw new AdminFailure(`no CA in ${home}: run \`ca init --home ${home}\` first`);
  const layout = homeLayout(home);
  const db = await openAdminDatabase(home, database, hours === undefined);
  try {
    // With --database the directory may live in it (`directory migrate`), else in the home's file.
    const tenants = (await (await directoryStoreFor(home, db)).read()).tenants.map((t) => t.id);
    if (hours) {
      const value = JSON.stringify(hours);
      const node = serverNodeId(layout.serverNodeId);
      for (const tenant of tenants) await writeFirmSchedule(db, node, tenant, { [OFFICE_HOURS_FIELD]: value });
      // The PBX routes by the exported copy: a stopped server (PGlite) would leave it stale until it starts.
      await new FirmScheduleExporter(db, layout.firmSchedules).refresh();
      return `Arbeitszeit des Büros gespeichert (${tenants.length} Firmen)\n${describeWeekDe(hours)}`;
    }
    const first = tenants[0];
    const current = first ? officeHoursFromFields(await readFirmSchedule(db, first)) : officeHoursFromFields({});
    return `Arbeitszeit des Büros: ${describeWeekDe(current)}`;
  } finally {
    await db.close();
  }
}
