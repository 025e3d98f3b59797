import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVersion } from '../../../../protocol/index.js';
import { migrate } from '../../../../server/db/migrations.js';
import { PgliteDatabase } from '../../../../server/db/pglite-database.js';
import { WRITE_LOCK, writeFields } from '../../../../server/sync/field-writes.js';
import { firmScheduleRecordId } from '../../../../server/sync/firm-schedule-id.js';
import { readFirmSchedule, writeFirmSchedule } from '../../../../server/sync/firm-schedule.js';

const NODE = '5e5e5e5e5e5e5e5e';

describe('writeFirmSchedule', () => {
  let dir: string;
  let db: PgliteDatabase;
  // A fresh PGlite runs initdb first: ten seconds and more on a busy machine.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vermittlung-firm-schedule-'));
    db = await PgliteDatabase.open(dir);
    await migrate(db);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the given parts and marks a new record alive, keeping the parts left out', async () => {
    expect(await writeFirmSchedule(db, NODE, 'tischlerei', { bundesland: '"BY"', closures: '[]' })).toBe(3);
    expect(await writeFirmSchedule(db, NODE, 'tischlerei', { bundesland: '"NW"' })).toBe(1);
    expect(await readFirmSchedule(db, 'tischlerei')).toEqual({ bundesland: '"NW"', closures: '[]', _deleted: false });
  });

  it("wins over a craftsman's write stamped ahead of the server's clock", async () => {
    const id = firmScheduleRecordId('sanitaer');
    const ahead = formatVersion(Date.now() + 60_000, 0, 'aaaaaaaaaaaaaaaa');
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      await writeFields(
        tx,
        [{ table: 'firm_schedule', id, tenant: 'sanitaer', field: 'bundesland', value: '"BE"', version: ahead }],
        'carl',
      );
    });
    await writeFirmSchedule(db, NODE, 'sanitaer', { bundesland: '"HH"' });
    expect((await readFirmSchedule(db, 'sanitaer')).bundesland).toBe('"HH"');
  });

  it('refuses a value that is not its part, writing nothing', async () => {
    await expect(writeFirmSchedule(db, NODE, 'maler', { bundesland: '"XX"' })).rejects.toThrow(/bundesland/);
    expect(await readFirmSchedule(db, 'maler')).toEqual({});
  });
});
