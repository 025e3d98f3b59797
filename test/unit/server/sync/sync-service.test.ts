import { randomUUID } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVersion } from '../../../../protocol/index.js';
import { AccessControl } from '../../../../server/auth/access.js';
import type { Directory, DirectoryUserEntry } from '../../../../server/home/directory.js';
import type { SyncHttpError } from '../../../../server/sync/errors.js';
import { SyncService } from '../../../../server/sync/sync-service.js';
import { openSyncServiceRig, type SyncServiceRig } from '../../../helpers/sync-service-rig.js';
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
  let rig: SyncServiceRig;
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

  beforeAll(async () => {
    rig = await openSyncServiceRig('sync-service', { directory: DIRECTORY });
    // Data of both firms, written while both were served.
    await rig.sync.push(rig.as('anna'), pushBody([contact('tischlerei'), contact('sanitaer')]));
    access = new PausedSanitaer(rig.layout, () => undefined);
    sync = new SyncService(rig.db, access);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
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
