import { BillingContract } from '../../protocol/billing-contract.js';
import type { ContractVersion } from '../../protocol/billing-lines.js';
import { HybridLogicalClock, contractFromFields, contractRecordId, sortVersions, type FieldValue } from '../../protocol/index.js';
import type { Database, Queryable } from '../db/database.js';
import { SERVER_AUTHOR } from '../sync/directory-publisher.js';
import { WRITE_LOCK, currentCursor, notifyCommit, writeFields, type FieldWrite } from '../sync/field-writes.js';

/** Every valid, not deleted contract version of `tenant`, oldest first. */
export async function readContracts(q: Queryable, tenant: string): Promise<ContractVersion[]> {
  const { rows } = await q.query<{ id: string; field: string; value: FieldValue | null }>(
    `SELECT id::text AS id, field, value FROM field_state WHERE tbl = 'firm_contract' AND tenant = $1`,
    [tenant],
  );
  const records = new Map<string, Record<string, FieldValue>>();
  for (const r of rows) {
    const fields = records.get(r.id) ?? {};
    fields[r.field] = r.value ?? null;
    records.set(r.id, fields);
  }
  const versions: ContractVersion[] = [];
  for (const fields of records.values()) {
    const version = contractFromFields(tenant, fields);
    if (version) versions.push(version);
  }
  return sortVersions(versions);
}

/**
 * Stores a contract version as server-authored field changes (the admin CLI), each with a version above
 * every stored one of the record, so it wins like any newer write and reaches the lead's app through the
 * ordinary pull. A version with the same validFrom is replaced; other versions stay.
 */
export async function writeContract(db: Database, nodeId: string, tenant: string, contract: BillingContract): Promise<void> {
  const terms = BillingContract.parse(contract);
  const id = contractRecordId(tenant, terms.validFrom);
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    const { rows } = await tx.query<{ version: string }>(
      `SELECT version FROM field_state WHERE tbl = 'firm_contract' AND id = $1::uuid`,
      [id],
    );
    const clock = new HybridLogicalClock(nodeId);
    for (const r of rows) clock.receive(r.version);
    const write = (field: string, value: FieldValue): FieldWrite => ({
      table: 'firm_contract',
      id,
      tenant,
      field,
      value,
      version: clock.tick(),
    });
    await writeFields(
      tx,
      [write('valid_from', terms.validFrom), write('terms', JSON.stringify(terms)), write('_deleted', false)],
      SERVER_AUTHOR,
    );
    await notifyCommit(tx, [tenant], await currentCursor(tx));
  });
}
