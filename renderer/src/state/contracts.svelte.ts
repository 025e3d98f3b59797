import type { BillingContract } from '../../../protocol/billing-contract.js';
import type { ContractVersion } from '../../../protocol/billing-lines.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** The firms' contract versions the lead sees and edits (docs/billing.md). */
export const contractsState = $state({ versions: [] as ContractVersion[], saved: false });

let listening = false;

export async function loadContracts(): Promise<void> {
  try {
    contractsState.versions = await call('contracts.list', {});
  } catch (error) {
    reportError(error, 'contracts.list');
  }
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table === 'firm_contract') void loadContracts();
    });
  }
}

export async function saveContract(tenant: string, contract: BillingContract): Promise<boolean> {
  contractsState.saved = false;
  try {
    await call('contracts.save', { tenant, contract });
    contractsState.saved = true;
    await loadContracts();
    return true;
  } catch (error) {
    reportError(error, 'contracts.save');
    return false;
  }
}
