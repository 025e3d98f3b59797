import type { Queryable } from '../db/database.js';

/**
 * The live `document` records that name `sha256` as their bytes: not tombstoned, restricted to
 * `tenants` when given. Shared by the read check (per firm, like records) and the collector.
 */
export const LIVE_REFERENCE_SQL = (hashParam: string, tenantsParam?: string) => `
  SELECT 1 FROM field_state f
   WHERE f.tbl = 'document' AND f.field = 'blob_sha256' AND (f.value #>> '{}') = ${hashParam}
     ${tenantsParam ? `AND f.tenant IN (SELECT jsonb_array_elements_text(${tenantsParam}::jsonb))` : ''}
     AND NOT EXISTS (SELECT 1 FROM field_state d
                      WHERE d.tbl = 'document' AND d.id = f.id AND d.field = '_deleted' AND d.value = 'true'::jsonb)`;

/**
 * Whether a caller serving `tenants` may read the blob `sha256`: exactly when a live record of one of
 * those firms references it. Knowing a hash alone grants nothing.
 */
export async function referencedBy(db: Queryable, sha256: string, tenants: string[]): Promise<boolean> {
  if (tenants.length === 0) return false;
  const { rows } = await db.query(`${LIVE_REFERENCE_SQL('$1', '$2')} LIMIT 1`, [sha256, JSON.stringify(tenants)]);
  return rows.length > 0;
}
