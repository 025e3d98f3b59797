import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleFromFields } from '../../../protocol/index.js';
import { homeLayout } from '../../../server/home/layout.js';
import { readScheduleSnapshot } from '../../../server/sync/firm-schedule-export.js';
import { firmScheduleRecordId } from '../../../server/sync/firm-schedule-id.js';
import { BACKENDS, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { REPO_ROOT } from '../../helpers/repo-root.js';

/** The real CLI, as IT runs it (`npm run admin -- …` is `tsx server/admin/cli.ts …`), without blocking the server. */
function admin(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'server/admin/cli.ts'), ...args], {
      cwd: REPO_ROOT,
      timeout: 60_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

const HOURS = [
  '--day',
  'Di 08:00-12:00',
  '--day',
  'Do 14:00-18:00',
  '--bundesland',
  'BY',
  '--closure',
  '2026-12-24..2026-12-31 Betriebsurlaub',
  '--emergency',
  '+4917012345',
  '--emergency-day',
  'Sa 08:00-18:00',
];
const WEEK =
  'Sprechstunde Di 08:00–12:00, Do 14:00–18:00; Bundesland BY; Betriebsurlaub 24.12.–31.12.2026; Notdienst +4917012345 (Sa 08:00–18:00)';

/**
 * `tenant hours` writes a firm's schedule as server-authored synced fields and prints the week back;
 * the firm's people then pull it like any change. On PGlite the server must be stopped (the CLI
 * refuses while it runs); on PostgreSQL it writes while the server runs.
 */
describe.each(BACKENDS)('npm run admin -- tenant hours against the real server on %s', (backend) => {
  let f: SyncFixture;
  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('writes the schedule, prints the week in German, and the firm’s teleworker pulls it', async () => {
    const database = f.databaseUrl ? ['--database', f.databaseUrl] : [];
    if (backend === 'pglite') {
      const refused = await admin('tenant', 'hours', 'tischlerei', '--home', f.home.home, ...HOURS);
      expect(refused.code, refused.out).toBe(1);
      expect(refused.err).toContain('stop it first');
      await f.stop();
    }
    const set = await admin('tenant', 'hours', 'tischlerei', '--home', f.home.home, ...database, ...HOURS);
    expect(set.code, set.err).toBe(0);
    expect(set.out).toBe(`tischlerei: Plan gespeichert\n${WEEK}\n`);
    const shown = await admin('tenant', 'hours', 'tischlerei', '--home', f.home.home, ...database);
    expect(shown.out).toBe(`tischlerei: ${WEEK}\n`);
    // The copy the PBX routes by has it at once, with the server stopped too.
    const exported = readScheduleSnapshot(homeLayout(f.home.home).firmSchedules).firms.tischlerei;
    expect(scheduleFromFields(exported ?? {})?.closures).toEqual([
      { from: '2026-12-24', to: '2026-12-31', reason: 'Betriebsurlaub' },
    ]);
    if (backend === 'pglite') await f.restart();

    const anna = f.client('anna');
    anna.engine.start();
    await anna.engine.syncNow();
    const id = firmScheduleRecordId('tischlerei');
    const field = (name: string) => anna.store.get('firm_schedule', id, name);
    expect(field('_deleted')).toBe(false);
    const schedule = scheduleFromFields(
      Object.fromEntries(['bundesland', 'consultation', 'closures', 'emergency'].map((n) => [n, field(n)])),
    );
    expect(schedule).toMatchObject({
      bundesland: 'BY',
      consultation: { tue: [{ start: '08:00', end: '12:00' }], thu: [{ start: '14:00', end: '18:00' }], mon: [] },
      closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'Betriebsurlaub' }],
      emergency: { number: '+4917012345', hours: { sat: [{ start: '08:00', end: '18:00' }] } },
    });
    expect(field('override')).toBeUndefined();
  });

  it('refuses bad values and unknown firms before writing anything', async () => {
    const database = f.databaseUrl ? ['--database', f.databaseUrl] : [];
    if (backend === 'pglite') await f.stop();
    try {
      const overlap = await admin(
        'tenant',
        'hours',
        'tischlerei',
        '--home',
        f.home.home,
        ...database,
        '--day',
        'Mo 08:00-13:30,13:00-17:00',
      );
      expect(overlap.code).toBe(2);
      expect(overlap.err).toContain('--day: ranges 08:00–13:30 and 13:00–17:00 overlap');
      const land = await admin('tenant', 'hours', 'tischlerei', '--home', f.home.home, ...database, '--bundesland', 'XY');
      expect(land.code).toBe(2);
      expect(land.err).toContain('--bundesland "XY"');
      const unknown = await admin('tenant', 'hours', 'maler', '--home', f.home.home, ...database, '--bundesland', 'BY');
      expect(unknown.code).toBe(1);
      expect(unknown.err).toContain('unknown tenant "maler"');
      const shown = await admin('tenant', 'hours', 'tischlerei', '--home', f.home.home, ...database);
      expect(shown.out).toBe(`tischlerei: ${WEEK}\n`);
    } finally {
      if (backend === 'pglite') await f.restart();
    }
  });
});
