import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../../server/admin/commands.js';
import { startSyncServer } from '../../../server/server.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';

/** `backup`/`restore` say no rather than risk a database or a home (server/admin/backup.ts). */
describe('backup and restore refusals', () => {
  const work = mkdtempSync(join(tmpdir(), 'vermittlung-backup-'));
  const homes: PkiHome[] = [];
  afterAll(() => {
    for (const home of homes) home.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses to open a stopped PGlite home unless told it is stopped, and never restores over a CA', async () => {
    const pki = await createPkiHome({ users: [] });
    homes.push(pki);
    const server = await startSyncServer({ home: pki.home, port: 0, feedPort: 0, log: () => undefined });
    await server.close();

    const file = join(work, 'offline.tar.gz');
    await expect(runAdmin(['backup', '--home', pki.home, '--out', file])).rejects.toThrow(/no server answers .*--offline/);
    expect(existsSync(file)).toBe(false);
    expect(await runAdmin(['backup', '--home', pki.home, '--out', file, '--offline'])).toContain('PGlite image');

    await expect(runAdmin(['restore', file, '--home', pki.home])).rejects.toThrow('already has a CA: restore into an empty home');
    await expect(
      runAdmin(['restore', file, '--home', join(work, 'to-pg'), '--database', 'postgres://127.0.0.1/x']),
    ).rejects.toThrow('the backup holds a PGlite image');
    expect(existsSync(join(work, 'to-pg', 'ca'))).toBe(false);
    const notABackup = join(work, 'not-a-backup.tar.gz');
    writeFileSync(notABackup, 'hello');
    await expect(runAdmin(['restore', notABackup, '--home', join(work, 'nothing')])).rejects.toThrow(/tar failed/);
    await expect(runAdmin(['restore', '--home', join(work, 'nothing')])).rejects.toThrow('expected exactly one backup FILE');
    await expect(runAdmin(['backup', '--home', pki.home])).rejects.toThrow('--out FILE is required');

    // The offline backup is complete: the restored home serves again.
    const restored = join(work, 'restored');
    expect(await runAdmin(['restore', file, '--home', restored])).toContain(`into ${restored}`);
    const again = await startSyncServer({ home: restored, port: 0, feedPort: 0, log: () => undefined });
    const { rows } = await again.db.query<{ n: string }>("SELECT count(*)::text AS n FROM field_state WHERE tbl = 'tenant'");
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    await again.close();
  });
});
