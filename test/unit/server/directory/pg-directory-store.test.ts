import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessControl } from '../../../../server/auth/access.js';
import { PgDirectoryStore, databaseHoldsDirectory } from '../../../../server/directory/pg-directory-store.js';
import { writeDirectory, type Directory } from '../../../../server/home/directory.js';
import { homeLayout } from '../../../../server/home/layout.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

// The same SQL runs on PGlite, which also delivers NOTIFY within its one process: the store's
// round trip and AccessControl's switch from the home's file to the database, without a server.
const pglite = migratedPglite('vermittlung-directory-store-');
const home = mkdtempSync(join(tmpdir(), 'vermittlung-directory-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cert = (serial: string, revokedAt?: string) => ({
  serial,
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  ...(revokedAt ? { revokedAt } : {}),
});

const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'tischlerei', name: 'Tischlerei', numbers: ['+492211234567'], ringSeconds: 12, calendarToken: 'x'.repeat(43) },
    { id: 'maler', name: 'Maler', numbers: [], craftsmanFallback: true },
  ],
  users: [
    {
      id: 'anna',
      name: 'Anna',
      role: 'teleworker',
      tenants: ['tischlerei', 'maler'],
      certificates: [cert('0a1b'), cert('0c', '2026-02-01T00:00:00.000Z')],
    },
    { id: 'lena', name: 'Lena', role: 'lead', tenants: [], certificates: [cert('0f')] },
  ],
  service: { pbxUrl: 'wss://127.0.0.1:7443/', serverUrl: 'https://127.0.0.1:7444/', hosts: ['127.0.0.1'], crlDays: 7 },
  removedCertificates: [{ ...cert('ff01', '2026-03-01T00:00:00.000Z'), user: 'carl' }],
};

const peer = (cn: string, serialNumber: string) => ({ subject: { CN: cn }, serialNumber }) as unknown as PeerCertificate;

describe('PgDirectoryStore', () => {
  it('gives back exactly the directory it was given, in order, and says when it holds one', async () => {
    const store = new PgDirectoryStore(pglite.db);
    expect(await databaseHoldsDirectory(pglite.db)).toBe(false);
    expect(await store.readCrl()).toBeUndefined();
    await store.write(DIRECTORY);
    expect(await databaseHoldsDirectory(pglite.db)).toBe(true);
    expect(await store.read()).toEqual(DIRECTORY);
    await store.writeCrl('-----BEGIN X509 CRL-----\n');
    expect(await store.readCrl()).toBe('-----BEGIN X509 CRL-----\n');
  });

  it('refuses a directory that does not parse and keeps the previous one', async () => {
    const store = new PgDirectoryStore(pglite.db);
    const broken = { ...DIRECTORY, users: [{ ...DIRECTORY.users[0]!, id: 'Not Valid' }] } as Directory;
    await expect(store.write(broken)).rejects.toThrow();
    expect(await store.read()).toEqual(DIRECTORY);
  });

  it('AccessControl reads the database instead of the home file, and a revocation reaches it by NOTIFY', async () => {
    const layout = homeLayout(home);
    // The home's file still has anna's 0a1b valid and no lena; the database is what counts once followed.
    writeDirectory(layout.directory, { version: 1, tenants: [], users: [] });
    const access = new AccessControl(layout, () => undefined);
    const changes: string[] = [];
    access.watch((what) => changes.push(what), 60_000);
    const store = new PgDirectoryStore(pglite.db);
    const active = () => databaseHoldsDirectory(pglite.db);
    const pending: Promise<void>[] = [];
    await store.subscribe((what) => pending.push(access.sharedChanged(store, active, what)));
    await access.follow(store, active);
    try {
      expect(access.identify(peer('lena', '0F')).user.role).toBe('lead');
      expect(access.readCrl()).toBe('-----BEGIN X509 CRL-----\n');

      const revoked: Directory = {
        ...DIRECTORY,
        users: DIRECTORY.users.map((u) =>
          u.id === 'anna' ? { ...u, certificates: [cert('0a1b', '2026-04-01T00:00:00.000Z')] } : u,
        ),
      };
      expect(access.allows('anna', 'a1b')).toBe(true);
      await store.write(revoked);
      await expect.poll(() => pending.length, { timeout: 5000 }).toBeGreaterThan(0);
      await Promise.all(pending);
      expect(access.allows('anna', 'a1b')).toBe(false);
      expect(changes).toContain('directory');
      expect(() => access.identify(peer('anna', '0a1b'))).toThrow(/revoked/);
    } finally {
      access.close();
    }
  });
});
