import type { Database } from './database.js';

/**
 * Forward-only schema migrations, the same SQL on PostgreSQL and PGlite. Append; never edit a
 * released entry. Versions are compared with `COLLATE "C"` so byte order = HLC order.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE SEQUENCE change_seq;
      -- Which tenant a record belongs to: records never move between tenants.
      CREATE TABLE sync_record (
        tbl text NOT NULL,
        id uuid NOT NULL,
        tenant text NOT NULL,
        PRIMARY KEY (tbl, id)
      );
      -- Per field only the newest value travels: a pull returns rows whose seq is after the cursor.
      CREATE TABLE field_state (
        tbl text NOT NULL,
        id uuid NOT NULL,
        field text NOT NULL,
        tenant text NOT NULL,
        value jsonb,
        version text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        author text NOT NULL,
        PRIMARY KEY (tbl, id, field)
      );
      CREATE INDEX field_state_seq ON field_state (seq);
      CREATE INDEX field_state_tenant_seq ON field_state (tenant, seq);
      CREATE TABLE server_meta (key text PRIMARY KEY, value text NOT NULL);
    `,
  },
  {
    version: 5,
    sql: `
      -- Documents' bytes (docs/sync-protocol.md, "Blobs"): content-addressed by SHA-256, stored in
      -- chunks so that neither an upload nor a download ever holds a whole file in memory.
      CREATE TABLE blob_chunk (
        sha256 text NOT NULL,
        ofs bigint NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (sha256, ofs)
      );
      -- Scans and photos are compressed already: trying to compress them again only costs CPU.
      ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE EXTERNAL;
      -- An upload under way: what the server has (received) survives a cut and a restart.
      CREATE TABLE blob_upload (
        sha256 text PRIMARY KEY,
        size bigint NOT NULL,
        mime text,
        received bigint NOT NULL DEFAULT 0,
        tenant text NOT NULL,
        started_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- A verified blob: only these are served.
      CREATE TABLE blob (
        sha256 text PRIMARY KEY,
        size bigint NOT NULL,
        mime text NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now()
      );
      -- Which records reference a hash: the read check and the garbage collection ask it.
      CREATE INDEX field_state_document_blob ON field_state ((value #>> '{}'))
        WHERE tbl = 'document' AND field = 'blob_sha256';
    `,
  },
];

/** Serialises concurrent servers starting against one database. */
const MIGRATION_LOCK = 7_304_201;

export async function migrate(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    let count = 0;
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
      count++;
    }
    return count;
  });
}
