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
    version: 2,
    sql: `
      -- The PBX's call detail records (docs/billing.md): Kamailio's acc module inserts them here when
      -- the server runs on PostgreSQL, the server ingests its flat files into it otherwise. The first
      -- three columns are acc's own; the others are its cdr_extra (pbx/kamailio.cfg.template) and
      -- arrive as text. Times are the PBX's clock as "seconds.microseconds".
      CREATE TABLE pbx_cdr (
        id bigserial PRIMARY KEY,
        start_time timestamp,
        end_time timestamp,
        duration double precision,
        call_id text,
        direction text,
        firm_number text,
        tenant text,
        remote_number text,
        user_id text,
        invite_ts text,
        answer_ts text,
        end_ts text,
        mode text,
        started_at timestamptz GENERATED ALWAYS AS (
          CASE WHEN invite_ts ~ '^[0-9]{1,12}([.][0-9]{0,9})?$' THEN to_timestamp(invite_ts::double precision) END
        ) STORED
      );
      CREATE INDEX pbx_cdr_firm_started ON pbx_cdr (firm_number, started_at);
      CREATE INDEX pbx_cdr_call_id ON pbx_cdr (call_id);
      -- How far each CDR file has been read: the offset moves in the transaction that stores its rows.
      CREATE TABLE pbx_cdr_file (inode text PRIMARY KEY, name text NOT NULL, offset_bytes bigint NOT NULL);
    `,
  },
  {
    version: 3,
    sql: `
      -- A closed month's report as delivered: its figures (json keeps them byte for byte) and its PDF,
      -- never updated; later changes to its calls become correction lines of a later month.
      CREATE TABLE billing_report (
        tenant text NOT NULL,
        month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        report json NOT NULL,
        pdf bytea NOT NULL,
        pdf_sha256 text NOT NULL,
        frozen_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, month)
      );
    `,
  },
  {
    version: 4,
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
  {
    // Which scans went to the craftsman by e-mail (server/smtp/document-mailer.ts): each one once.
    version: 9,
    sql: `
      CREATE TABLE document_mail (
        document_id uuid PRIMARY KEY,
        item_id uuid NOT NULL,
        tenant text NOT NULL,
        recipient text NOT NULL,
        outcome text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
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
