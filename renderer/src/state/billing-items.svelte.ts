import type { BillingItem, BillingItemSave } from '../../../protocol/billing-items.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** The lead's per-piece items of every firm (docs/billing.md), as the local store holds them. */
export const billingItemsState = $state({ items: [] as BillingItem[], loaded: false });

let listening = false;

export async function loadBillingItems(): Promise<void> {
  try {
    billingItemsState.items = await call('billingItems.list', {});
    billingItemsState.loaded = true;
  } catch (error) {
    reportError(error, 'billingItems.list');
  }
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table === 'billing_item') void loadBillingItems();
    });
  }
}

export async function saveBillingItem(input: BillingItemSave): Promise<boolean> {
  try {
    await call('billingItems.save', input);
    await loadBillingItems();
    return true;
  } catch (error) {
    reportError(error, 'billingItems.save');
    return false;
  }
}

export async function deleteBillingItem(id: string): Promise<boolean> {
  try {
    await call('billingItems.delete', { id });
    await loadBillingItems();
    return true;
  } catch (error) {
    reportError(error, 'billingItems.delete');
    return false;
  }
}
