import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HybridLogicalClock, OFFICE_HOURS_FIELD, officeHoursFromFields } from '../../../../protocol/index.js';
import { writeDirectory, type Directory } from '../../../../server/home/directory.js';
import { DirectoryPublisher } from '../../../../server/sync/directory-publisher.js';
import { readScheduleSnapshot, FirmScheduleExporter } from '../../../../server/sync/firm-schedule-export.js';
import { firmScheduleRecordId } from '../../../../server/sync/firm-schedule-id.js';
import { readFirmSchedule } from '../../../../server/sync/firm-schedule.js';
import { ROLES_DIRECTORY, openSyncServiceRig, type SyncServiceRig } from '../../../helpers/sync-service-rig.js';
import { flatPulled, pushBody, type LooseChange } from '../../../helpers/sync-wire.js';

// The office's own working hours are a field of every firm's schedule record that only the lead (and
// the server) writes; every app serving the firm pulls it, and the PBX's copy carries it.
const SATURDAYS = JSON.stringify({
  mon: [{ start: '07:00', end: '19:00' }],
  tue: [],
  wed: [],
  thu: [],
  fri: [],
  sat: [{ start: '09:00', end: '13:00' }],
  sun: [],
});

describe("the office's working hours through the sync API", () => {
  let rig: SyncServiceRig;
  const clock = new HybridLogicalClock('cdcdcdcdcdcdcdcd');
  const as = (cn: string) => rig.as(cn);
  const hours = (tenant: string, value: unknown): LooseChange => ({
    table: 'firm_schedule',
    id: firmScheduleRecordId(tenant),
    tenant,
    field: OFFICE_HOURS_FIELD,
    value,
    version: clock.tick(),
  });
  const refusal = (cn: string, changes: LooseChange[]) => rig.push(cn, changes);

  beforeAll(async () => {
    rig = await openSyncServiceRig('sync-office-hours');
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('refuses the field from the firm’s craftsman and a teleworker (403 schedule_read_only), and a malformed week (400)', async () => {
    expect(await refusal('carl', [hours('tischlerei', SATURDAYS)])).toMatchObject({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('anna', [hours('sanitaer', SATURDAYS)])).toMatchObject({ status: 403, code: 'schedule_read_only' });
    const backwards = JSON.stringify({ ...JSON.parse(SATURDAYS), mon: [{ start: '19:00', end: '07:00' }] });
    expect(await refusal('lena', [hours('tischlerei', backwards)])).toMatchObject({ status: 400, code: 'invalid_schedule' });
    // Nothing of it was stored.
    const stored = flatPulled(await rig.sync.pull(as('lena'), {})).filter((c) => c.field === OFFICE_HOURS_FIELD);
    expect(stored).toEqual([]);
  });

  it("takes the lead's week for every firm; the teleworker pulls it and the PBX's copy carries it per firm", async () => {
    await rig.sync.push(as('lena'), pushBody([hours('tischlerei', SATURDAYS), hours('sanitaer', SATURDAYS)]));
    const pulled = flatPulled(await rig.sync.pull(as('anna'), {})).filter((c) => c.field === OFFICE_HOURS_FIELD);
    expect(pulled.map((c) => [c.tenant, c.value]).sort()).toEqual([
      ['sanitaer', SATURDAYS],
      ['tischlerei', SATURDAYS],
    ]);
    const file = join(rig.dir, 'firm-schedules.json');
    await new FirmScheduleExporter(rig.db, file).refresh();
    const snapshot = readScheduleSnapshot(file);
    expect(officeHoursFromFields(snapshot.firms.tischlerei!).sat).toEqual([{ start: '09:00', end: '13:00' }]);
    expect(officeHoursFromFields(snapshot.firms.sanitaer!).mon).toEqual([{ start: '07:00', end: '19:00' }]);
  });

  it('gives a firm new to the directory the week the others hold, so it is not left on the default', async () => {
    const grown: Directory = {
      ...ROLES_DIRECTORY,
      tenants: [...ROLES_DIRECTORY.tenants, { id: 'glaserei', name: 'Glaserei', numbers: [] }],
      users: ROLES_DIRECTORY.users.map((u) => (u.id === 'anna' ? { ...u, tenants: [...u.tenants, 'glaserei'] } : u)),
    };
    writeDirectory(rig.layout.directory, grown);
    await new DirectoryPublisher(rig.db, 'efefefefefefefef').publish(grown);
    const glaserei = await readFirmSchedule(rig.db, 'glaserei');
    expect(glaserei[OFFICE_HOURS_FIELD]).toBe(SATURDAYS);
    expect(glaserei._deleted).toBe(false);
    // Published again, nothing more is written.
    expect(await new DirectoryPublisher(rig.db, 'efefefefefefefef').publish(grown)).toBe(0);
  });
});
