import { itemPath, type Change, type SyncTable } from '../../protocol/index.js';
import type { Queryable } from '../db/database.js';
import { SyncHttpError } from './errors.js';

/**
 * Taken by every writer before it draws sequence numbers and held until commit, so change
 * sequence numbers become visible in increasing order: a reader that has seen seq N has seen every
 * committed seq below N, and a pull cursor never skips a slow transaction.
 */
export const WRITE_LOCK = 7_304_202;
export const NOTIFY_CHANNEL = 'vermittlung_sync';

export interface FieldWrite {
  table: SyncTable;
  id: string;
  tenant: string;
  field: string;
  value: Change['value'];
  version: string;
}

export interface WriteOutcome {
  status: 'applied' | 'superseded';
  seq?: string;
}

/**
 * Writes field changes, keeping per field the greatest version (string order = HLC order, ties by
 * node id). Idempotent: the same change again finds its own version stored and answers `applied`.
 * Must run inside a transaction that holds WRITE_LOCK.
 */
export async function writeFields(tx: Queryable, writes: FieldWrite[], author: string): Promise<WriteOutcome[]> {
  if (writes.length === 0) return [];
  const input = JSON.stringify(writes.map((w, ord) => ({ ...w, tbl: w.table, value: w.value, ord })));
  const { rows: foreign } = await tx.query<{ tbl: string; id: string; owner: string; wanted: string }>(
    `WITH input AS (SELECT DISTINCT tbl, id, tenant FROM jsonb_to_recordset($1::jsonb) AS t(tbl text, id uuid, tenant text))
     SELECT i.tbl, i.id::text AS id, r.tenant AS owner, i.tenant AS wanted
       FROM input i JOIN sync_record r ON r.tbl = i.tbl AND r.id = i.id
      WHERE r.tenant <> i.tenant LIMIT 1`,
    [input],
  );
  const clash = foreign[0];
  if (clash) {
    const path = itemPath(clash.wanted, clash.tbl, clash.id);
    throw new SyncHttpError(403, 'tenant_mismatch', `${path}: the record belongs to another tenant; records never move`, path);
  }
  await tx.query(
    `INSERT INTO sync_record (tbl, id, tenant)
     SELECT DISTINCT tbl, id, tenant FROM jsonb_to_recordset($1::jsonb) AS t(tbl text, id uuid, tenant text)
     ON CONFLICT (tbl, id) DO NOTHING`,
    [input],
  );
  await tx.query(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS t(tbl text, id uuid, field text, tenant text, value jsonb, version text, ord int)
     ), newest AS (
       SELECT DISTINCT ON (tbl, id, field) tbl, id, field, tenant, value, version, ord
         FROM input ORDER BY tbl, id, field, version COLLATE "C" DESC
     )
     INSERT INTO field_state AS f (tbl, id, field, tenant, value, version, seq, author)
     SELECT tbl, id, field, tenant, value, version, nextval('change_seq'), $2 FROM newest ORDER BY ord
     ON CONFLICT (tbl, id, field) DO UPDATE
        SET value = excluded.value, version = excluded.version, seq = excluded.seq, author = excluded.author
      WHERE f.version < excluded.version`,
    [input, author],
  );
  const { rows } = await tx.query<{ tbl: string; id: string; field: string; version: string; seq: string }>(
    `WITH input AS (SELECT DISTINCT tbl, id, field FROM jsonb_to_recordset($1::jsonb) AS t(tbl text, id uuid, field text))
     SELECT f.tbl, f.id::text AS id, f.field, f.version, f.seq::text AS seq
       FROM input i JOIN field_state f ON f.tbl = i.tbl AND f.id = i.id AND f.field = i.field`,
    [input],
  );
  const stored = new Map(rows.map((r) => [`${r.tbl}:${r.id}:${r.field}`, r]));
  return writes.map((w) => {
    const row = stored.get(`${w.table}:${w.id}:${w.field}`);
    return row && row.version === w.version ? { status: 'applied', seq: row.seq } : { status: 'superseded' };
  });
}

/** The highest committed sequence number; a pull from here sees only later commits. */
export async function currentCursor(q: Queryable): Promise<string> {
  const { rows } = await q.query<{ cursor: string }>('SELECT coalesce(max(seq), 0)::text AS cursor FROM field_state');
  return rows[0]?.cursor ?? '0';
}

/** Tells every server process (LISTEN) which tenants changed; delivered at commit. */
export async function notifyCommit(tx: Queryable, tenants: string[], cursor: string): Promise<void> {
  let payload = JSON.stringify({ cursor, tenants });
  if (payload.length > 7000) payload = JSON.stringify({ cursor, tenants: null });
  await tx.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
}
