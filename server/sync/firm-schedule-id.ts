import { v5 as uuidv5 } from 'uuid';
import { FIRM_SCHEDULE_RECORD_NAMESPACE } from '../../protocol/index.js';

/** The id of a tenant's one firm_schedule record: derived, so every writer names the same record. */
export function firmScheduleRecordId(tenant: string): string {
  return uuidv5(tenant, FIRM_SCHEDULE_RECORD_NAMESPACE);
}
