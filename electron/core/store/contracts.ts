import { BillingContract } from '../../../protocol/billing-contract.js';
import type { ContractVersion } from '../../../protocol/billing-lines.js';
import { contractFromFields, contractRecordId, sortVersions } from '../../../protocol/index.js';
import type { Db } from './open.js';
import type { RecordWriter } from './writer.js';

/**
 * A firm's contract versions as the local store holds them (synced `firm_contract` records,
 * protocol/firm-contract.ts): what the lead's contract form shows and saves. The server takes a
 * save from a lead only; anyone else's is refused there (docs/billing.md).
 */
export function listContracts(db: Db, tenant: string | undefined): ContractVersion[] {
  const rows = db
    .prepare(`SELECT tenant_id, terms, _deleted FROM firm_contract WHERE _deleted = 0 AND (? IS NULL OR tenant_id = ?)`)
    .all(tenant ?? null, tenant ?? null) as { tenant_id: string; terms: string | null; _deleted: number }[];
  const versions = rows.flatMap(
    (row) => contractFromFields(row.tenant_id, { terms: row.terms, _deleted: row._deleted === 1 }) ?? [],
  );
  return sortVersions(versions).sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
}

/** Saves a version under the record its tenant and valid-from day name: a version of the same day is replaced. */
export function saveContract(writer: RecordWriter, tenant: string, contract: BillingContract): ContractVersion {
  const terms = BillingContract.parse(contract);
  writer.writeLocal('firm_contract', contractRecordId(tenant, terms.validFrom), tenant, {
    valid_from: terms.validFrom,
    terms: JSON.stringify(terms),
    _deleted: false,
  });
  return { tenantId: tenant, contract: terms };
}
