import { existsSync, readFileSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PgDirectoryStore, databaseHoldsDirectory } from '../directory/pg-directory-store.js';
import { Directory, readDirectory } from '../home/directory.js';
import { homeLayout } from '../home/layout.js';
import { AdminFailure } from '../pki/office-ca.js';
import { openAdminDatabase } from './admin-database.js';
import { MIGRATED_SUFFIX, checkDatabaseUrl } from './admin-directory.js';

/** Both sides as the database gives them back (timestamps normalised), so equal content compares equal. */
const canonical = (directory: Directory): string =>
  JSON.stringify(
    Directory.parse({
      ...directory,
      users: directory.users.map((u) => ({
        ...u,
        tenants: [...new Set(u.tenants)],
        certificates: u.certificates.map((c) => ({
          ...c,
          notBefore: new Date(c.notBefore).toISOString(),
          notAfter: new Date(c.notAfter).toISOString(),
          ...(c.revokedAt ? { revokedAt: new Date(c.revokedAt).toISOString() } : {}),
        })),
      })),
      removedCertificates: (directory.removedCertificates ?? []).map((c) => ({
        ...c,
        notBefore: new Date(c.notBefore).toISOString(),
        notAfter: new Date(c.notAfter).toISOString(),
        ...(c.revokedAt ? { revokedAt: new Date(c.revokedAt).toISOString() } : {}),
      })),
    }),
  );

/**
 * `directory migrate`: the home's directory.json and CRL into PostgreSQL, in one transaction each;
 * then the files are renamed so nobody edits a copy that no server reads any more. Running servers
 * on that database switch to it on the NOTIFY. A second run finds the database holding the same
 * directory and changes nothing; a database holding a different one is never overwritten.
 */
export async function runDirectory(argv: string[], usage: (message: string) => Error): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { home: { type: 'string' }, database: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const [action, ...extra] = parsed.positionals;
  if (action !== 'migrate' || extra.length > 0) throw usage(`unknown command "directory ${parsed.positionals.join(' ')}"`);
  if (!parsed.values.home) throw usage('--home is required');
  const database = checkDatabaseUrl(parsed.values.database, usage);
  if (!database) throw usage('--database postgres://… is required: the directory moves into that database');
  const home = resolve(parsed.values.home);
  const layout = homeLayout(home);
  let fromFile: Directory | undefined;
  try {
    fromFile = existsSync(layout.directory) ? readDirectory(layout.directory) : undefined;
  } catch (error) {
    throw new AdminFailure(`${layout.directory} is not a valid directory, nothing migrated: ${(error as Error).message}`);
  }
  const crl = existsSync(layout.crl) ? readFileSync(layout.crl, 'utf8') : undefined;

  const db = await openAdminDatabase(home, database, false);
  try {
    const store = new PgDirectoryStore(db);
    if (await databaseHoldsDirectory(db)) {
      if (!fromFile) return 'the directory is in PostgreSQL already; nothing to migrate';
      if (canonical(await store.read()) !== canonical(fromFile))
        throw new AdminFailure(
          `PostgreSQL holds a different directory than ${layout.directory}: nothing changed. ` +
            'The database is the one the servers read; remove or rename the file if it is outdated.',
        );
      retire(layout.directory);
      if (crl !== undefined) retire(layout.crl);
      return `the directory is in PostgreSQL already (the same as ${layout.directory}, which is now renamed)`;
    }
    const directory = fromFile ?? { version: 1 as const, tenants: [], users: [] };
    // The CRL first: a server switching on the directory's NOTIFY must find the revocations' CRL too.
    if (crl !== undefined) await store.writeCrl(crl);
    await store.write(directory);
    if (fromFile) retire(layout.directory);
    if (crl !== undefined) retire(layout.crl);
    return [
      `directory moved into PostgreSQL: ${directory.tenants.length} tenant(s), ${directory.users.length} user(s)` +
        `${crl === undefined ? '' : ', and the CRL'}`,
      `the home keeps the CA key; ${layout.directory} is renamed to …${MIGRATED_SUFFIX}`,
      'From now on give every user, tenant, calendar and `ca crl` command --database with this URL.',
    ].join('\n');
  } finally {
    await db.close();
  }
}

function retire(file: string): void {
  if (existsSync(file)) renameSync(file, `${file}${MIGRATED_SUFFIX}`);
}
