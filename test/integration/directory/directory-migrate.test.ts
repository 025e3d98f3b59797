/**
 * `directory migrate`: a home's directory.json and CRL into PostgreSQL — once, completely, and a
 * second run changes nothing; the admin commands then write there. Real PostgreSQL, the admin CLI in process.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../../server/admin/commands.js';
import { PgDatabase } from '../../../server/db/pg-database.js';
import { PgDirectoryStore } from '../../../server/directory/pg-directory-store.js';
import { readDirectory, type Directory } from '../../../server/home/directory.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';

let pki: PkiHome;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let other: Awaited<ReturnType<typeof freshDatabase>>;
let pg: PgDatabase;
let before: Directory;
let crlBefore: string;

const migrate = (url: string) => runAdmin(['directory', 'migrate', '--home', pki.home, '--database', url]);

beforeAll(async () => {
  pki = await createPkiHome();
  await pki.admin('tenant', 'set', 'tischlerei', '--ring-seconds', '12', '--craftsman-fallback', 'yes');
  await pki.revoke('max');
  await pki.admin('user', 'remove', 'max');
  await pki.addUser({ id: 'lena', name: 'Lena Lead', tenants: [], role: 'lead' });
  before = readDirectory(pki.layout.directory);
  crlBefore = readFileSync(pki.layout.crl, 'utf8');
  db = await freshDatabase('directory_migrate');
  other = await freshDatabase('directory_migrate');
  pg = new PgDatabase(db.url, () => undefined);
}, 120_000);

afterAll(async () => {
  await pg?.close();
  await db?.drop();
  await other?.drop();
  pki?.cleanup();
});

describe('directory migrate', () => {
  it('moves every tenant, user, certificate, revocation and the CRL, and retires the files', async () => {
    expect(await migrate(db.url)).toMatch(/tenant\(s\), 2 user\(s\), and the CRL/);
    const store = new PgDirectoryStore(pg);
    const moved = await store.read();
    expect(moved.tenants).toEqual(before.tenants);
    expect(moved.service).toEqual(before.service);
    expect(moved.users.map((u) => [u.id, u.role, u.tenants, u.certificates.map((c) => c.serial)])).toEqual(
      before.users.map((u) => [u.id, u.role, u.tenants, u.certificates.map((c) => c.serial)]),
    );
    expect(moved.removedCertificates?.map((c) => [c.user, c.serial, Date.parse(c.revokedAt!)])).toEqual(
      before.removedCertificates?.map((c) => [c.user, c.serial, Date.parse(c.revokedAt!)]),
    );
    expect(moved.removedCertificates).toHaveLength(1);
    expect(await store.readCrl()).toBe(crlBefore);
    expect(existsSync(pki.layout.directory)).toBe(false);
    expect(existsSync(pki.layout.crl)).toBe(false);
    // Without --database a command would write a new directory.json that no server reads.
    await expect(pki.admin('user', 'list')).rejects.toThrow(/lives in PostgreSQL.*--database/);
  });

  it('is idempotent: a second run, even with the old file back, changes nothing', async () => {
    const store = new PgDirectoryStore(pg);
    const first = await store.read();
    expect(await migrate(db.url)).toMatch(/already/);
    copyFileSync(`${pki.layout.directory}.migrated-to-postgres`, pki.layout.directory);
    expect(await migrate(db.url)).toMatch(/already .*same/);
    expect(await store.read()).toEqual(first);
  });

  it('never overwrites a database that holds a different directory', async () => {
    const store = new PgDirectoryStore(pg);
    const first = await store.read();
    copyFileSync(`${pki.layout.directory}.migrated-to-postgres`, pki.layout.directory);
    await runAdmin([
      'tenant',
      'add',
      'elektro',
      '--name',
      'Elektro Blitz',
      '--number',
      '+49 30 7777777',
      '--home',
      pki.home,
      '--database',
      db.url,
    ]);
    await expect(migrate(db.url)).rejects.toThrow(/holds a different directory/);
    expect((await store.read()).tenants.map((t) => t.id)).toEqual([...first.tenants.map((t) => t.id), 'elektro']);
    expect(existsSync(pki.layout.directory)).toBe(true);
  });

  it('the admin commands write into PostgreSQL, and refuse a database that holds no directory', async () => {
    const out = join(pki.home, 'bundles', 'nina.json');
    await runAdmin([
      'user',
      'add',
      'nina',
      '--name',
      'Nina',
      '--tenant',
      'elektro',
      '--home',
      pki.home,
      '--database',
      db.url,
      '--out',
      out,
    ]);
    const listed = await runAdmin(['user', 'list', '--home', pki.home, '--database', db.url]);
    expect(listed).toMatch(/^nina\tNina\tteleworker\ttenants: elektro/m);
    // The home's file (put back above) is not what the command changed.
    expect(readDirectory(pki.layout.directory).users.some((u) => u.id === 'nina')).toBe(false);
    expect(await runAdmin(['user', 'revoke', 'nina', '--home', pki.home, '--database', db.url])).toMatch(
      /CRL rewritten: PostgreSQL/,
    );
    const store = new PgDirectoryStore(pg);
    expect((await store.read()).users.find((u) => u.id === 'nina')?.certificates[0]?.revokedAt).toBeDefined();
    expect(await store.readCrl()).not.toBe(crlBefore);
    await expect(
      runAdmin([
        'user',
        'add',
        'olaf',
        '--name',
        'Olaf',
        '--tenant',
        'elektro',
        '--home',
        pki.home,
        '--database',
        other.url,
        '--out',
        out,
      ]),
    ).rejects.toThrow(/holds no directory yet.*directory migrate/);
    await expect(runAdmin(['user', 'list', '--home', pki.home, '--database', 'mysql://x'])).rejects.toThrow(/postgres:\/\/ URL/);
  });
});
