/**
 * The firm's day in the app (docs/firm-day.md): the host API that reads every firm's schedule from
 * the local store and writes one part of one firm's schedule as a synced field, and the office
 * service's own working hours, which the office lead sets for every firm at once.
 */
import { z } from 'zod';
import { FirmSchedule, WeeklyHours } from './firm-day.js';
import { FIRM_SCHEDULE_PARTS, type FirmSchedulePart } from './firm-schedule.js';
import { TenantId } from './sync.js';
import { NoInput } from './method-io.js';

export const SchedulePartName = z.enum(Object.keys(FIRM_SCHEDULE_PARTS) as [FirmSchedulePart, ...FirmSchedulePart[]]);

/** One firm's schedule as the local store holds it; null while Bundesland or the hours are not set. */
export const FirmScheduleEntry = z.object({
  tenant: TenantId,
  schedule: FirmSchedule.nullable(),
  /** The office's working hours the firm's record holds (the default while none are set): its modes follow them. */
  officeHours: WeeklyHours,
});
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
  /**
   * The office's own working hours, written into every firm's record (the lead serves every firm).
   * Refused as `forbidden` for anyone but the office lead.
   */
  'officeHours.set': { input: z.strictObject({ hours: WeeklyHours }), output: z.array(FirmScheduleEntry) },
} as const;
