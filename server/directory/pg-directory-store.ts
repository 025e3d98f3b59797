import type { Database, Queryable } from '../db/database.js';
import { Directory, type CertificateEntry, type DirectoryTenantEntry } from '../home/directory.js';
import type { DirectoryStore } from './directory-store.js';

/** Every write of the directory or the CRL is announced here; the payload says which ('directory' | 'crl'). */
export const DIRECTORY_CHANNEL = 'vermittlung_directory';

/** Serialises writers (admin CLI runs on several hosts) so read-modify-write cycles do not interleave. */
const WRITE_LOCK = 7_304_208;

type Change = 'directory' | 'crl';

/** Whether this database holds the directory (after `directory migrate`, or `ca init --database`). */
export async function databaseHoldsDirectory(db: Queryable): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM directory_meta WHERE key = 'directory'");
  return rows.length > 0;
}

const iso = (value: unknown): string => (value instanceof Date ? value : new Date(String(value))).toISOString();

/**
 * The directory in PostgreSQL (server migration 5): read whole into memory by each process, written
 * whole in one transaction that ends with a NOTIFY, so every server process and the PBX renderer
 * reload within the NOTIFY's latency instead of polling a shared disk.
 */
export class PgDirectoryStore implements DirectoryStore {
  readonly kind = 'postgres' as const;
  readonly where = 'PostgreSQL';

  constructor(private readonly db: Database) {}

  async read(): Promise<Directory> {
    return this.db.transaction(async (tx) => {
      // REPEATABLE READ would need to be the first statement; a read-only snapshot of four tables is enough here.
      const meta = await tx.query<{ key: string; value: unknown }>(
        "SELECT key, value FROM directory_meta WHERE key IN ('service')",
      );
      const tenants = await tx.query<{ id: string; name: string; numbers: string[]; details: Record<string, unknown> }>(
        'SELECT id, name, numbers, details FROM directory_tenants ORDER BY position',
      );
      const users = await tx.query<{ id: string; name: string; role: string }>(
        'SELECT id, name, role FROM directory_users ORDER BY position',
      );
      const links = await tx.query<{ user_id: string; tenant: string }>(
        'SELECT user_id, tenant FROM directory_user_tenants ORDER BY position',
      );
      const certs = await tx.query<{
        serial: string;
        user_id: string;
        not_before: unknown;
        not_after: unknown;
        revoked_at: unknown;
        file: string | null;
        removed: boolean;
      }>(
        'SELECT serial, user_id, not_before, not_after, revoked_at, file, removed FROM directory_certificates ORDER BY position',
      );
      const entry = (c: (typeof certs.rows)[number]): CertificateEntry => ({
        serial: c.serial,
        notBefore: iso(c.not_before),
        notAfter: iso(c.not_after),
        ...(c.revoked_at ? { revokedAt: iso(c.revoked_at) } : {}),
        ...(c.file ? { file: c.file } : {}),
      });
      const removed = certs.rows.filter((c) => c.removed).map((c) => ({ ...entry(c), user: c.user_id }));
      const service = meta.rows.find((m) => m.key === 'service')?.value;
      return Directory.parse({
        version: 1,
        tenants: tenants.rows.map((t) => ({ id: t.id, name: t.name, numbers: t.numbers, ...t.details })),
        users: users.rows.map((u) => ({
          id: u.id,
          name: u.name,
          role: u.role,
          tenants: links.rows.filter((l) => l.user_id === u.id).map((l) => l.tenant),
          certificates: certs.rows.filter((c) => !c.removed && c.user_id === u.id).map(entry),
        })),
        ...(service ? { service } : {}),
        ...(removed.length > 0 ? { removedCertificates: removed } : {}),
      });
    });
  }

  async write(directory: Directory): Promise<void> {
    const valid = Directory.parse(directory);
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      await replaceDirectory(tx, valid);
      await tx.query("SELECT pg_notify($1, 'directory')", [DIRECTORY_CHANNEL]);
    });
  }

  async readCrl(): Promise<string | undefined> {
    const { rows } = await this.db.query<{ value: { pem: string } }>("SELECT value FROM directory_meta WHERE key = 'crl'");
    return rows[0]?.value.pem;
  }

  async writeCrl(pem: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO directory_meta (key, value) VALUES ('crl', $1::jsonb)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [JSON.stringify({ pem, writtenAt: new Date().toISOString() })],
      );
      await tx.query("SELECT pg_notify($1, 'crl')", [DIRECTORY_CHANNEL]);
    });
  }

  /**
   * Calls `onChange` after every write by any process, and with both kinds after a lost listening
   * connection is back (a NOTIFY may have been missed meanwhile).
   */
  async subscribe(onChange: (what: Change) => void): Promise<void> {
    await this.db.listen(
      DIRECTORY_CHANNEL,
      (payload) => onChange(payload === 'crl' ? 'crl' : 'directory'),
      () => {
        onChange('directory');
        onChange('crl');
      },
    );
  }

  /** The database belongs to whoever opened it; the store only borrows it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function replaceDirectory(tx: Queryable, directory: Directory): Promise<void> {
  await tx.query('DELETE FROM directory_user_tenants');
  await tx.query('DELETE FROM directory_certificates');
  await tx.query('DELETE FROM directory_users');
  await tx.query('DELETE FROM directory_tenants');
  const tenants = directory.tenants.map((t, position) => {
    const { id, name, numbers, ...details } = t satisfies DirectoryTenantEntry;
    return { id, position, name, numbers, details };
  });
  // One statement per table whatever the size: thousands of users stay one round trip each.
  await tx.query(
    `INSERT INTO directory_tenants (id, position, name, numbers, details)
     SELECT x.id, x.position, x.name, ARRAY(SELECT jsonb_array_elements_text(x.numbers)), x.details
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, position integer, name text, numbers jsonb, details jsonb)`,
    [JSON.stringify(tenants)],
  );
  await tx.query(
    `INSERT INTO directory_users (id, position, name, role)
     SELECT x.id, x.position, x.name, x.role FROM jsonb_to_recordset($1::jsonb) AS x(id text, position integer, name text, role text)`,
    [JSON.stringify(directory.users.map((u, position) => ({ id: u.id, position, name: u.name, role: u.role })))],
  );
  await tx.query(
    `INSERT INTO directory_user_tenants (user_id, tenant, position)
     SELECT x.user_id, x.tenant, x.position FROM jsonb_to_recordset($1::jsonb) AS x(user_id text, tenant text, position integer)`,
    [
      JSON.stringify(
        directory.users.flatMap((u) => [...new Set(u.tenants)].map((tenant, position) => ({ user_id: u.id, tenant, position }))),
      ),
    ],
  );
  const certificates = [
    ...directory.users.flatMap((u) => u.certificates.map((c) => ({ ...c, user: u.id, removed: false }))),
    ...(directory.removedCertificates ?? []).map((c) => ({ ...c, removed: true })),
  ].map((c, position) => ({
    serial: c.serial,
    user_id: c.user,
    position,
    not_before: c.notBefore,
    not_after: c.notAfter,
    revoked_at: c.revokedAt ?? null,
    file: c.file ?? null,
    removed: c.removed,
  }));
  await tx.query(
    `INSERT INTO directory_certificates (serial, user_id, position, not_before, not_after, revoked_at, file, removed)
     SELECT x.serial, x.user_id, x.position, x.not_before, x.not_after, x.revoked_at, x.file, x.removed
     FROM jsonb_to_recordset($1::jsonb)
       AS x(serial text, user_id text, position integer, not_before timestamptz, not_after timestamptz,
            revoked_at timestamptz, file text, removed boolean)`,
    [JSON.stringify(certificates)],
  );
  const meta: [string, unknown][] = [['directory', { version: 1 }]];
  if (directory.service) meta.push(['service', directory.service]);
  else await tx.query("DELETE FROM directory_meta WHERE key = 'service'");
  for (const [key, value] of meta)
    await tx.query(
      `INSERT INTO directory_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, JSON.stringify(value)],
    );
}
