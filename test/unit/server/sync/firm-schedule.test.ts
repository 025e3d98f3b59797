import { describe, expect, it } from 'vitest';
import { formatVersion } from '../../../../protocol/index.js';
import { WRITE_LOCK, writeFields } from '../../../../server/sync/field-writes.js';
import { firmScheduleRecordId } from '../../../../server/sync/firm-schedule-id.js';
import { readFirmSchedule, writeFirmSchedule } from '../../../../server/sync/firm-schedule.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const NODE = '5e5e5e5e5e5e5e5e';

describe('writeFirmSchedule', () => {
  const pglite = migratedPglite('vermittlung-firm-schedule-');

  it('writes the given parts and marks a new record alive, keeping the parts left out', async () => {
    expect(await writeFirmSchedule(pglite.db, NODE, 'tischlerei', { bundesland: '"BY"', closures: '[]' })).toBe(3);
    expect(await writeFirmSchedule(pglite.db, NODE, 'tischlerei', { bundesland: '"NW"' })).toBe(1);
    expect(await readFirmSchedule(pglite.db, 'tischlerei')).toEqual({ bundesland: '"NW"', closures: '[]', _deleted: false });
  });

  it("wins over a craftsman's write stamped ahead of the server's clock", async () => {
    const id = firmScheduleRecordId('sanitaer');
    const ahead = formatVersion(Date.now() + 60_000, 0, 'aaaaaaaaaaaaaaaa');
    await pglite.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      await writeFields(
        tx,
        [{ table: 'firm_schedule', id, tenant: 'sanitaer', field: 'bundesland', value: '"BE"', version: ahead }],
        'carl',
      );
    });
    await writeFirmSchedule(pglite.db, NODE, 'sanitaer', { bundesland: '"HH"' });
    expect((await readFirmSchedule(pglite.db, 'sanitaer')).bundesland).toBe('"HH"');
  });

  it('refuses a value that is not its part, writing nothing', async () => {
    await expect(writeFirmSchedule(pglite.db, NODE, 'maler', { bundesland: '"XX"' })).rejects.toThrow(/bundesland/);
    expect(await readFirmSchedule(pglite.db, 'maler')).toEqual({});
  });
});
