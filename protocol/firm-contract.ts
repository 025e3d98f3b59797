/**
 * A firm's contract as synced records (docs/billing.md): one `firm_contract` record per tenant and
 * valid-from day, its id derived from both, so the lead's app and the admin CLI name the same record
 * for the same version. `terms` holds the BillingContract as JSON text; `valid_from` repeats its
 * validFrom so a reader can order versions without parsing. A change of terms from a later day is a
 * new record: the earlier months keep the version valid then.
 */
import { v5 as uuidv5 } from 'uuid';
import { BillingContract } from './billing-contract.js';
import type { ContractVersion } from './billing-lines.js';
import type { FieldValue } from './sync.js';

/** uuidv5(`${tenant}/${validFrom}`, this) is the id of a tenant's contract version. */
export const FIRM_CONTRACT_RECORD_NAMESPACE = '8c2d4e16-5a7b-5f90-b3c1-2e6f9a0d4b7e';
/** A value that is not a contract, or an id that is not its version's record (HTTP 400). */
export const INVALID_CONTRACT_CODE = 'invalid_contract';

export function contractRecordId(tenant: string, validFrom: string): string {
  return uuidv5(`${tenant}/${validFrom}`, FIRM_CONTRACT_RECORD_NAMESPACE);
}

/** Why `value` cannot be the wire value of `field` of a contract record, or undefined when it can. */
export function contractFieldFault(field: string, value: FieldValue): string | undefined {
  if (field === 'valid_from') {
    return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : 'valid_from must be YYYY-MM-DD';
  }
  if (field !== 'terms' || value === null) return undefined;
  if (typeof value !== 'string') return 'terms must be JSON text or null';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'terms is not valid JSON';
  }
  const result = BillingContract.safeParse(parsed);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return `terms${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`;
}

/** The contract a record's fields describe, or undefined while it is deleted, incomplete or invalid. */
export function contractFromFields(tenantId: string, fields: Partial<Record<string, FieldValue>>): ContractVersion | undefined {
  if (fields._deleted === true || typeof fields.terms !== 'string') return undefined;
  try {
    const result = BillingContract.safeParse(JSON.parse(fields.terms));
    return result.success ? { tenantId, contract: result.data } : undefined;
  } catch {
    return undefined;
  }
}

/** Versions oldest first: the order in which each one's terms replace the previous one's. */
export function sortVersions(versions: ContractVersion[]): ContractVersion[] {
  return [...versions].sort((a, b) =>
    a.contract.validFrom < b.contract.validFrom ? -1 : a.contract.validFrom > b.contract.validFrom ? 1 : 0,
  );
}

/** The version whose terms apply on `day` (YYYY-MM-DD), or undefined before the first one. */
export function contractOn(versions: ContractVersion[], day: string): ContractVersion | undefined {
  let found: ContractVersion | undefined;
  for (const v of sortVersions(versions)) if (v.contract.validFrom <= day) found = v;
  return found;
}
