import { describe, expect, it } from 'vitest';
import { firmScheduleRecordId } from '../../../../server/sync/firm-schedule-id.js';
import { tenantRecordId } from '../../../../server/sync/directory-publisher.js';

describe('firmScheduleRecordId', () => {
  it('names one record per tenant, stable and distinct from the tenant record', () => {
    expect(firmScheduleRecordId('tischlerei')).toBe(firmScheduleRecordId('tischlerei'));
    expect(firmScheduleRecordId('tischlerei')).not.toBe(firmScheduleRecordId('sanitaer'));
    expect(firmScheduleRecordId('tischlerei')).not.toBe(tenantRecordId('tischlerei'));
    expect(firmScheduleRecordId('tischlerei')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
