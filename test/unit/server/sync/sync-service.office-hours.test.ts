import { mkdtempSync, rmSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HybridLogicalClock, OFFICE_HOURS_FIELD, officeHoursFromFields } from '../../../../protocol/index.js';
import { AccessControl } from '../../../../server/auth/access.js';
import { migrate } from '../../../../server/db/migrations.js';
import { PgliteDatabase } from '../../../../server/db/pglite-database.js';
import { writeDirectory, type Directory } from '../../../../server/home/directory.js';
import { homeLayout } from '../../../../server/home/layout.js';
import type { SyncHttpError } from '../../../../server/sync/errors.js';
import { DirectoryPublisher } from '../../../../server/sync/directory-publisher.js';
import { readScheduleSnapshot, FirmScheduleExporter } from '../../../../server/sync/firm-schedule-export.js';
import { firmScheduleRecordId } from '../../../../server/sync/firm-schedule-id.js';
import { readFirmSchedule } from '../../../../server/sync/firm-schedule.js';
import { SyncService } from '../../../../server/sync/sync-service.js';
import { flatPulled, pushBody, type LooseChange } from '../../../helpers/sync-wire.js';

// The office's own working hours are a field of every firm's schedule record that only the lead (and
// the server) writes; every app serving the firm pulls it, and the PBX's copy carries it.
const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'tischlerei', name: 'Tischlerei', numbers: [] },
    { id: 'sanitaer', name: 'Sanitär', numbers: [] },
  ],
  users: [
    { id: 'anna', name: 'Anna', role: 'teleworker', tenants: ['tischlerei', 'sanitaer'], certificates: [] },
    { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['tischlerei'], certificates: [] },
    { id: 'lena', name: 'Lena', role: 'lead', tenants: [], certificates: [] },
  ],
};
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
  let dir: string;
  let db: PgliteDatabase;
  let sync: SyncService;
  let access: AccessControl;
  const clock = new HybridLogicalClock('cdcdcdcdcdcdcdcd');
  const as = (cn: string) => access.identify({ subject: { CN: cn }, serialNumber: '01' } as unknown as PeerCertificate);
  const hours = (tenant: string, value: unknown): LooseChange => ({
    table: 'firm_schedule',
    id: firmScheduleRecordId(tenant),
    tenant,
    field: OFFICE_HOURS_FIELD,
    value,
    version: clock.tick(),
  });
  const refusal = (cn: string, changes: LooseChange[]) =>
    sync.push(as(cn), pushBody(changes)).then(
      () => undefined,
      (error: SyncHttpError) => ({ status: error.status, code: error.code, item: error.item }),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vermittlung-sync-office-hours-'));
    writeDirectory(homeLayout(dir).directory, DIRECTORY);
    db = await PgliteDatabase.open(join(dir, 'db'));
    await migrate(db);
    access = new AccessControl(homeLayout(dir), () => undefined);
    sync = new SyncService(db, access);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the field from the firm’s craftsman and a teleworker (403 schedule_read_only), and a malformed week (400)', async () => {
    expect(await refusal('carl', [hours('tischlerei', SATURDAYS)])).toMatchObject({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('anna', [hours('sanitaer', SATURDAYS)])).toMatchObject({ status: 403, code: 'schedule_read_only' });
    const backwards = JSON.stringify({ ...JSON.parse(SATURDAYS), mon: [{ start: '19:00', end: '07:00' }] });
    expect(await refusal('lena', [hours('tischlerei', backwards)])).toMatchObject({ status: 400, code: 'invalid_schedule' });
    // Nothing of it was stored.
    const stored = flatPulled(await sync.pull(as('lena'), {})).filter((c) => c.field === OFFICE_HOURS_FIELD);
    expect(stored).toEqual([]);
  });

  it("takes the lead's week for every firm; the teleworker pulls it and the PBX's copy carries it per firm", async () => {
    await sync.push(as('lena'), pushBody([hours('tischlerei', SATURDAYS), hours('sanitaer', SATURDAYS)]));
    const pulled = flatPulled(await sync.pull(as('anna'), {})).filter((c) => c.field === OFFICE_HOURS_FIELD);
    expect(pulled.map((c) => [c.tenant, c.value]).sort()).toEqual([
      ['sanitaer', SATURDAYS],
      ['tischlerei', SATURDAYS],
    ]);
    const file = join(dir, 'firm-schedules.json');
    await new FirmScheduleExporter(db, file).refresh();
    const snapshot = readScheduleSnapshot(file);
    expect(officeHoursFromFields(snapshot.firms.tischlerei!).sat).toEqual([{ start: '09:00', end: '13:00' }]);
    expect(officeHoursFromFields(snapshot.firms.sanitaer!).mon).toEqual([{ start: '07:00', end: '19:00' }]);
  });

  it('gives a firm new to the directory the week the others hold, so it is not left on the default', async () => {
    const grown: Directory = {
      ...DIRECTORY,
      tenants: [...DIRECTORY.tenants, { id: 'glaserei', name: 'Glaserei', numbers: [] }],
      users: DIRECTORY.users.map((u) => (u.id === 'anna' ? { ...u, tenants: [...u.tenants, 'glaserei'] } : u)),
    };
    writeDirectory(homeLayout(dir).directory, grown);
    await new DirectoryPublisher(db, 'efefefefefefefef').publish(grown);
    const glaserei = await readFirmSchedule(db, 'glaserei');
    expect(glaserei[OFFICE_HOURS_FIELD]).toBe(SATURDAYS);
    expect(glaserei._deleted).toBe(false);
    // Published again, nothing more is written.
    expect(await new DirectoryPublisher(db, 'efefefefefefefef').publish(grown)).toBe(0);
  });
});
