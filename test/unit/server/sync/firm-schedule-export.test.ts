import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FirmScheduleExporter, readScheduleSnapshot } from '../../../../server/sync/firm-schedule-export.js';
import { writeFirmSchedule } from '../../../../server/sync/firm-schedule.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const NODE = '6e6e6e6e6e6e6e6e';

describe("the firm schedules exported for the PBX's routing", () => {
  const pglite = migratedPglite('vermittlung-schedule-export-');
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-export-'));
  const file = join(dir, 'firm-schedules.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every firm’s synced parts and is rewritten only when they change', async () => {
    const exporter = new FirmScheduleExporter(pglite.db, file);
    expect(readScheduleSnapshot(file)).toEqual({ version: 1, firms: {} });
    await writeFirmSchedule(pglite.db, NODE, 'tischlerei', { bundesland: '"BY"', override: null });
    await exporter.refresh();
    expect(readScheduleSnapshot(file).firms).toEqual({ tischlerei: { bundesland: '"BY"', override: null, _deleted: false } });
    const written = statSync(file).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await exporter.refresh();
    expect(statSync(file).mtimeMs).toBe(written);
    // Refreshes asked for while one runs collapse into one more run, which sees the latest state.
    await writeFirmSchedule(pglite.db, NODE, 'sanitaer', { bundesland: '"HH"' });
    await Promise.all([exporter.refresh(), exporter.refresh(), exporter.refresh()]);
    expect(Object.keys(readScheduleSnapshot(file).firms).sort()).toEqual(['sanitaer', 'tischlerei']);
  });

  it('reads a broken file as no schedules (the PBX then rings as without them)', () => {
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ version: 2 }));
    expect(readScheduleSnapshot(join(dir, 'broken.json'))).toEqual({ version: 1, firms: {} });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1 });
  });
});
