import {
  HybridLogicalClock,
  scheduleFieldFault,
  type FieldValue,
  type FirmSchedulePart,
  type OFFICE_HOURS_FIELD,
} from '../../protocol/index.js';
import type { Database } from '../db/database.js';
import { SERVER_AUTHOR } from './directory-publisher.js';
import { WRITE_LOCK, currentCursor, notifyCommit, writeFields, type FieldWrite } from './field-writes.js';
import { firmScheduleRecordId } from './firm-schedule-id.js';

/** The synced fields of a tenant's schedule record as stored (JSON text or null per part). */
export async function readFirmSchedule(db: Database, tenant: string): Promise<Record<string, FieldValue>> {
  const { rows } = await db.query<{ field: string; value: FieldValue | null }>(
    `SELECT field, value FROM field_state WHERE tbl = 'firm_schedule' AND id = $1::uuid`,
    [firmScheduleRecordId(tenant)],
  );
  return Object.fromEntries(rows.map((r) => [r.field, r.value ?? null]));
}

/**
 * Writes parts of a tenant's schedule as server-authored field changes (the admin CLI), each with a
 * version above every stored one of the record, so they win like any newer write and reach every
 * client through the ordinary pull. Parts left out keep their value; a value that a push would be
 * refused for is refused here too.
 */
export async function writeFirmSchedule(
  db: Database,
  nodeId: string,
  tenant: string,
  parts: Partial<Record<FirmSchedulePart | typeof OFFICE_HOURS_FIELD, string | null>>,
): Promise<number> {
  const id = firmScheduleRecordId(tenant);
  for (const [field, value] of Object.entries(parts)) {
    const fault = scheduleFieldFault(field, value);
    if (fault !== undefined) throw new Error(fault);
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    const { rows } = await tx.query<{ version: string }>(
      `SELECT version FROM field_state WHERE tbl = 'firm_schedule' AND id = $1::uuid`,
      [id],
    );
    const clock = new HybridLogicalClock(nodeId);
    for (const r of rows) clock.receive(r.version);
    const writes: FieldWrite[] = Object.entries(parts).map(([field, value]) => ({
      table: 'firm_schedule',
      id,
      tenant,
      field,
      value,
      version: clock.tick(),
    }));
    // A fresh record says it exists, so a client never sees a schedule that is only implicitly alive.
    if (rows.length === 0)
      writes.push({ table: 'firm_schedule', id, tenant, field: '_deleted', value: false, version: clock.tick() });
    if (writes.length === 0) return 0;
    await writeFields(tx, writes, SERVER_AUTHOR);
    await notifyCommit(tx, [tenant], await currentCursor(tx));
    return writes.length;
  });
}
