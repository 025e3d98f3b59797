import { mkdtempSync, rmSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessControl } from '../../server/auth/access.js';
import type { Database } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrations.js';
import { PgDatabase } from '../../server/db/pg-database.js';
import { PgliteDatabase } from '../../server/db/pglite-database.js';
import { writeDirectory, type Directory } from '../../server/home/directory.js';
import { homeLayout, type HomeLayout } from '../../server/home/layout.js';
import type { SyncHttpError } from '../../server/sync/errors.js';
import { SyncService } from '../../server/sync/sync-service.js';
import type { Backend } from './sync-fixture.js';
import { freshDatabase } from './sync-postgres.js';
import { pushBody, type LooseChange } from './sync-wire.js';

/** Two firms and one person of each role: anna serves both firms' phones, carl is tischlerei's craftsman, lena the lead. */
export const ROLES_DIRECTORY: Directory = {
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

/** What a push came back with: accepted, or the refusal the client would see. */
export type PushOutcome = 'accepted' | { status: number; code: string; item: string | undefined };

export interface SyncServiceRig {
  /** The server's home: the directory file and, for PGlite, the database. */
  dir: string;
  layout: HomeLayout;
  db: Database;
  access: AccessControl;
  sync: SyncService;
  /** The caller a client certificate with this CN is. */
  as(cn: string): ReturnType<AccessControl['identify']>;
  push(cn: string, changes: LooseChange[]): Promise<PushOutcome>;
  close(): Promise<void>;
}

export interface SyncServiceRigOptions {
  directory?: Directory;
  backend?: Backend;
}

/**
 * The sync service in process over a migrated database, without HTTP or TLS: a fresh PGlite runs initdb
 * first, ten seconds and more on a busy machine, so callers give their beforeAll a long timeout.
 */
export async function openSyncServiceRig(name: string, options: SyncServiceRigOptions = {}): Promise<SyncServiceRig> {
  const dir = mkdtempSync(join(tmpdir(), `vermittlung-${name}-`));
  const layout = homeLayout(dir);
  writeDirectory(layout.directory, options.directory ?? ROLES_DIRECTORY);
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  if (options.backend === 'postgres') {
    const fresh = await freshDatabase(name.replaceAll('-', '_'));
    drop = () => fresh.drop();
    db = new PgDatabase(fresh.url, () => undefined);
  } else {
    db = await PgliteDatabase.open(join(dir, 'db'));
  }
  await migrate(db);
  const access = new AccessControl(layout, () => undefined);
  const sync = new SyncService(db, access);
  const as = (cn: string) => access.identify({ subject: { CN: cn }, serialNumber: '01' } as unknown as PeerCertificate);
  return {
    dir,
    layout,
    db,
    access,
    sync,
    as,
    push: (cn, changes) =>
      sync.push(as(cn), pushBody(changes)).then(
        (): PushOutcome => 'accepted',
        (error: SyncHttpError): PushOutcome => ({ status: error.status, code: error.code, item: error.item }),
      ),
    close: async () => {
      await db.close();
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
