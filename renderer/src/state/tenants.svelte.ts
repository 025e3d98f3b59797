import type { Tenant } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';
import { identityState } from './identity.svelte.js';

/** The firms this profile answers for (from the directory via sync). */
export const tenantsState = $state({ loaded: false, items: [] as Tenant[] });

let listening = false;

export async function loadTenants(): Promise<void> {
  try {
    tenantsState.items = await call('tenants.list');
  } catch (error) {
    reportError(error, 'tenants.list');
  } finally {
    tenantsState.loaded = true;
  }
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table === 'tenant') void loadTenants();
    });
  }
}

export function tenantName(tenant: string | null | undefined): string {
  if (!tenant) return '';
  // Before the first pull brings the firm records, the identity already names the user's firms.
  return (
    tenantsState.items.find((item) => item.tenant === tenant)?.name ??
    identityState.summary?.tenants.find((item) => item.id === tenant)?.name ??
    tenant
  );
}

/** The number a call on the firm's behalf presents: its first number (docs/pbx.md, rule 12). */
export function firmCallerNumber(tenant: string | null | undefined): string | undefined {
  if (!tenant) return undefined;
  return tenantsState.items.find((item) => item.tenant === tenant)?.numbers[0]?.replace(/[\s()/-]/g, '');
}
