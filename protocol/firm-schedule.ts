/**
 * A firm's schedule as a synced record (docs/sync-protocol.md, docs/firm-day.md): one `firm_schedule`
 * record per tenant, its id derived from the tenant, each part of FirmSchedule a field of its own so a
 * craftsman's override and the office's new closure never overwrite each other. A field's value on the
 * wire is the part as JSON text (or null while unset), validated against the schemas of firm-day.ts.
 */
import { z } from 'zod';
import { Bundesland, Closure, Emergency, FirmSchedule, Override, WeeklyHours } from './firm-day.js';
import type { FieldValue } from './sync.js';

/** uuidv5(tenant, this) is the id of the tenant's firm_schedule record. */
export const FIRM_SCHEDULE_RECORD_NAMESPACE = '3b0f7a52-9c1e-5d84-a6f2-7e4c1d9b2a60';

/** A value that is not the JSON of its part, or an id that is not the tenant's record (HTTP 400). */
export const INVALID_SCHEDULE_CODE = 'invalid_schedule';
/** A write to a schedule by someone who may only read it (HTTP 403). */
export const SCHEDULE_READ_ONLY_CODE = 'schedule_read_only';

export const FIRM_SCHEDULE_PARTS = {
  bundesland: Bundesland,
  consultation: WeeklyHours,
  service: WeeklyHours.nullable(),
  closures: z.array(Closure).max(200),
  emergency: Emergency.nullable(),
  override: Override.nullable(),
} as const;
export type FirmSchedulePart = keyof typeof FIRM_SCHEDULE_PARTS;

/**
 * The office service's own working hours, which a firm's `service` part narrows: one week for the whole
 * office, held as this field of every firm's record (written by the lead and the server only, the same
 * value into each firm), so the apps and the PBX read it where they read the firm's schedule.
 */
export const OFFICE_HOURS_FIELD = 'office_hours';
export const OfficeHours = WeeklyHours;

/** The office's hours while none are set (Mo–Fr 08:00–18:00). */
export const DEFAULT_OFFICE_HOURS: WeeklyHours = {
  mon: [{ start: '08:00', end: '18:00' }],
  tue: [{ start: '08:00', end: '18:00' }],
  wed: [{ start: '08:00', end: '18:00' }],
  thu: [{ start: '08:00', end: '18:00' }],
  fri: [{ start: '08:00', end: '18:00' }],
  sat: [],
  sun: [],
};

/** The office's hours a firm's record holds, or the default while unset (or unreadable). */
export function officeHoursFromFields(fields: Partial<Record<string, FieldValue>>): WeeklyHours {
  const value = fields[OFFICE_HOURS_FIELD];
  if (typeof value !== 'string') return DEFAULT_OFFICE_HOURS;
  try {
    const parsed = WeeklyHours.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : DEFAULT_OFFICE_HOURS;
  } catch {
    return DEFAULT_OFFICE_HOURS;
  }
}

export function isSchedulePart(field: string): field is FirmSchedulePart {
  return Object.hasOwn(FIRM_SCHEDULE_PARTS, field);
}

/** Why `value` cannot be the wire value of `field`, or undefined when it can; null (unset) always can. */
export function scheduleFieldFault(field: string, value: FieldValue): string | undefined {
  if ((!isSchedulePart(field) && field !== OFFICE_HOURS_FIELD) || value === null) return undefined;
  if (typeof value !== 'string') return `${field} must be JSON text or null`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return `${field} is not valid JSON`;
  }
  const schema = isSchedulePart(field) ? FIRM_SCHEDULE_PARTS[field] : OfficeHours;
  const result = schema.safeParse(parsed);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  return `${field}${at}: ${issue?.message ?? 'invalid'}`;
}

/** The wire value of one part. */
export function encodeSchedulePart<F extends FirmSchedulePart>(
  field: F,
  value: z.input<(typeof FIRM_SCHEDULE_PARTS)[F]>,
): string {
  return JSON.stringify(FIRM_SCHEDULE_PARTS[field].parse(value));
}

/**
 * The schedule the synced fields describe, or undefined while Bundesland or the consultation hours
 * are unset or a field holds what no valid push could have written.
 */
export function scheduleFromFields(fields: Partial<Record<string, FieldValue>>): FirmSchedule | undefined {
  const input: Record<string, unknown> = {};
  for (const field of Object.keys(FIRM_SCHEDULE_PARTS)) {
    const value = fields[field];
    if (typeof value !== 'string') continue;
    try {
      input[field] = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const result = FirmSchedule.safeParse(input);
  return result.success ? result.data : undefined;
}
