import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVersion } from '../../../../protocol/index.js';
import { AccessControl } from '../../../../server/auth/access.js';
import { migrate } from '../../../../server/db/migrations.js';
import { PgliteDatabase } from '../../../../server/db/pglite-database.js';
import { writeDirectory, type Directory, type DirectoryUserEntry } from '../../../../server/home/directory.js';
import { homeLayout } from '../../../../server/home/layout.js';
import type { SyncHttpError } from '../../../../server/sync/errors.js';
import { SyncService } from '../../../../server/sync/sync-service.js';
import { flatPulled, pushBody } from '../../../helpers/sync-wire.js';

const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'tischlerei', name: 'Tischlerei', numbers: [] },
    { id: 'sanitaer', name: 'Sanitär', numbers: [] },
  ],
  users: [
    { id: 'anna', name: 'Anna', role: 'teleworker', tenants: ['tischlerei', 'sanitaer'], certificates: [] },
    { id: 'ben', name: 'Ben', role: 'teleworker', tenants: ['sanitaer'], certificates: [] },
  ],
};

/**
 * The access rule changed in its one place and nowhere else: the office has paused the sanitaer
 * firm. If any route decided from the directory itself, it would not notice.
 */
class PausedSanitaer extends AccessControl {
  override mayServe(user: DirectoryUserEntry, tenant: string): boolean {
    return tenant !== 'sanitaer' && super.mayServe(user, tenant);
  }
}

describe('every sync route asks AccessControl who may serve a tenant', () => {
  let dir: string;
  let db: PgliteDatabase;
  let access: AccessControl;
  let sync: SyncService;
  const anna = () => access.identify({ subject: { CN: 'anna' }, serialNumber: '01' } as unknown as PeerCertificate);
  const ben = () => access.identify({ subject: { CN: 'ben' }, serialNumber: '02' } as unknown as PeerCertificate);
  const contact = (tenant: string) => ({
    table: 'contact',
    id: randomUUID(),
    tenant,
    field: 'name',
    value: `Kunde von ${tenant}`,
    version: formatVersion(Date.now(), 0, 'aaaaaaaaaaaaaaaa'),
  });

  // A fresh PGlite runs initdb first: ten seconds and more on a busy machine.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vermittlung-sync-service-'));
    const layout = homeLayout(dir);
    writeDirectory(layout.directory, DIRECTORY);
    db = await PgliteDatabase.open(join(dir, 'db'));
    await migrate(db);
    // Data of both firms, written while both were served.
    const open = new SyncService(db, new AccessControl(layout, () => undefined));
    const before = new AccessControl(layout, () => undefined);
    const caller = before.identify({ subject: { CN: 'anna' }, serialNumber: '01' } as unknown as PeerCertificate);
    await open.push(caller, pushBody([contact('tischlerei'), contact('sanitaer')]));
    access = new PausedSanitaer(layout, () => undefined);
    sync = new SyncService(db, access);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('push: refuses the tenant the rule withholds, takes the one it allows', async () => {
    let refused: SyncHttpError | undefined;
    await sync.push(anna(), pushBody([contact('sanitaer')])).catch((error: SyncHttpError) => (refused = error));
    expect(refused).toMatchObject({ status: 403, code: 'forbidden_tenant' });
    const ok = await sync.push(anna(), pushBody([contact('tischlerei')]));
    expect(Object.keys(ok.results)).toEqual(['tischlerei']);
  });

  it('pull: returns nothing of the tenant the rule withholds', async () => {
    const changes = flatPulled(await sync.pull(anna(), {}));
    expect(changes.map((c) => c.tenant)).toContain('tischlerei');
    expect(changes.map((c) => c.tenant)).not.toContain('sanitaer');
    expect(flatPulled(await sync.pull(ben(), {}))).toEqual([]);
  });

  it('/directory/me and the live socket: the withheld tenant is not theirs', () => {
    const me = sync.me(anna());
    expect(me.user.tenants).toEqual(['tischlerei']);
    expect(me.tenants.map((t) => t.id)).toEqual(['tischlerei']);
    // ben shares only the withheld firm with anna: no longer a colleague
    expect(me.colleagues).toEqual([]);
    expect(access.tenantsOf('anna')).toEqual(['tischlerei']);
    expect(access.tenantsOf('ben')).toEqual([]);
  });
});
