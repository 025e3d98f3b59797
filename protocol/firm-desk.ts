/**
 * The firm's day in the app (docs/firm-day.md): the host API that reads every firm's schedule from
 * the local store and writes one part of one firm's schedule as a synced field, and the office
 * service's working hours the app computes modes with until they are synced data of their own.
 */
import { z } from 'zod';
import { FirmSchedule, type WeeklyHours } from './firm-day.js';
import { FIRM_SCHEDULE_PARTS, type FirmSchedulePart } from './firm-schedule.js';
import { TenantId } from './sync.js';
import { NoInput } from './method-io.js';

/**
 * The office service's working hours (Mo–Fr 08:00–18:00), which a firm's `service` part narrows.
 * The PBX timeline must be computed with the same week, or the card and the routing disagree.
 */
export const OFFICE_SERVICE_HOURS: WeeklyHours = {
  mon: [{ start: '08:00', end: '18:00' }],
  tue: [{ start: '08:00', end: '18:00' }],
  wed: [{ start: '08:00', end: '18:00' }],
  thu: [{ start: '08:00', end: '18:00' }],
  fri: [{ start: '08:00', end: '18:00' }],
  sat: [],
  sun: [],
};

export const SchedulePartName = z.enum(Object.keys(FIRM_SCHEDULE_PARTS) as [FirmSchedulePart, ...FirmSchedulePart[]]);

/** One firm's schedule as the local store holds it; null while Bundesland or the hours are not set. */
export const FirmScheduleEntry = z.object({ tenant: TenantId, schedule: FirmSchedule.nullable() });
export type FirmScheduleEntry = z.infer<typeof FirmScheduleEntry>;

export const firmScheduleMethods = {
  'firmSchedule.list': { input: NoInput, output: z.array(FirmScheduleEntry) },
  /**
   * One part of a firm's schedule, as the JSON text it syncs as (null unsets it). Refused as
   * `validation` when the text is not that part, as `forbidden` when this user may only read it.
   */
  'firmSchedule.set': {
    input: z.strictObject({
      tenant: TenantId,
      part: SchedulePartName,
      value: z
        .string()
        .max(64 * 1024)
        .nullable(),
    }),
    output: FirmScheduleEntry,
  },
} as const;
