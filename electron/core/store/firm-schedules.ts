import { v5 as uuidv5 } from 'uuid';
import {
  FIRM_SCHEDULE_PARTS,
  FIRM_SCHEDULE_RECORD_NAMESPACE,
  HostError,
  OFFICE_HOURS_FIELD,
  OfficeHours,
  officeHoursFromFields,
  scheduleFieldFault,
  scheduleFromFields,
  type FieldValue,
  type FirmScheduleEntry,
  type FirmSchedulePart,
  type WeeklyHours,
} from '../../../protocol/index.js';
import type { RecordWriter } from './writer.js';

/** The id of a tenant's one firm_schedule record, as the server derives it (uuidv5 of the tenant). */
export function firmScheduleRecordId(tenant: string): string {
  return uuidv5(tenant, FIRM_SCHEDULE_RECORD_NAMESPACE);
}

type ScheduleRow = Record<FirmSchedulePart, string | null> & { id: string; tenant_id: string; office_hours: string | null };

const PARTS = Object.keys(FIRM_SCHEDULE_PARTS) as FirmSchedulePart[];

function toEntry(row: ScheduleRow): FirmScheduleEntry {
  const fields: Record<string, FieldValue> = {};
  for (const part of PARTS) fields[part] = row[part];
  return {
    tenant: row.tenant_id,
    schedule: scheduleFromFields(fields) ?? null,
    officeHours: officeHoursFromFields({ [OFFICE_HOURS_FIELD]: row.office_hours }),
  };
}

/**
 * Every firm's schedule in the local store (pulled, or written here), and the write of one part of one
 * firm's schedule as a synced field. Who may write is decided by `mayWrite` (the user's role and firms)
 * before anything reaches the outbox; the server decides again and refuses what is not the writer's.
 */
export class FirmScheduleRepository {
  constructor(
    private readonly writer: RecordWriter,
    private readonly mayWrite: (tenant: string) => boolean,
    /** Only the office lead sets the office's own hours. */
    private readonly isLead: () => boolean,
  ) {}

  list(): FirmScheduleEntry[] {
    const rows = this.writer.stmt('SELECT * FROM firm_schedule WHERE _deleted = 0 ORDER BY tenant_id').all() as ScheduleRow[];
    // Only the record the tenant's id derives to: the one every writer names.
    return rows.filter((row) => row.id === firmScheduleRecordId(row.tenant_id)).map(toEntry);
  }

  get(tenant: string): FirmScheduleEntry {
    const row = this.writer
      .stmt('SELECT * FROM firm_schedule WHERE id = ? AND _deleted = 0')
      .get(firmScheduleRecordId(tenant)) as ScheduleRow | undefined;
    return row ? toEntry(row) : { tenant, schedule: null, officeHours: officeHoursFromFields({}) };
  }

  /** Writes `part` (JSON text, or null to unset it) of the tenant's schedule. */
  set(tenant: string, part: FirmSchedulePart, value: string | null): FirmScheduleEntry {
    if (!this.mayWrite(tenant)) {
      throw new HostError('forbidden', `the schedule of ${tenant} may only be read by this user`, 'tenant');
    }
    const fault = scheduleFieldFault(part, value);
    if (fault !== undefined) throw new HostError('validation', fault, 'value');
    this.writer.writeLocal('firm_schedule', firmScheduleRecordId(tenant), tenant, { [part]: value });
    return this.get(tenant);
  }

  /**
   * The office's own working hours into every firm's record the store knows (the lead serves every
   * firm), one synced field each; the server refuses the field from anyone but a lead.
   */
  setOfficeHours(hours: WeeklyHours): FirmScheduleEntry[] {
    if (!this.isLead()) throw new HostError('forbidden', 'only the office lead sets the office hours', 'hours');
    const checked = OfficeHours.safeParse(hours);
    if (!checked.success) throw new HostError('validation', checked.error.issues[0]?.message ?? 'not a week', 'hours');
    const value = JSON.stringify(checked.data);
    const tenants = this.writer.stmt('SELECT DISTINCT tenant_id FROM tenant WHERE _deleted = 0 ORDER BY tenant_id').all() as {
      tenant_id: string;
    }[];
    for (const { tenant_id: tenant } of tenants) {
      this.writer.writeLocal('firm_schedule', firmScheduleRecordId(tenant), tenant, { [OFFICE_HOURS_FIELD]: value });
    }
    return this.list();
  }
}
