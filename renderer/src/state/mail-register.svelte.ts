import type { MailDisposition, MailItem, MailStatus, RetentionDue } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/**
 * The office's register of a firm's mail: the items with their status flow, the receipt date that
 * changes only with a reason, and the lead's list of scans due for deletion.
 */
type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
interface RegisterState {
  status: LoadStatus;
  tenant: string;
  items: MailItem[];
  retention: { status: LoadStatus; due: RetentionDue[] };
}

export const registerState = $state<RegisterState>({
  status: 'idle',
  tenant: '',
  items: [],
  retention: { status: 'idle', due: [] },
});

let generation = 0;
let following = false;

export async function refreshRegister(): Promise<void> {
  const mine = ++generation;
  if (registerState.items.length === 0) registerState.status = 'loading';
  try {
    const items = await call('mail.list', { tenant: registerState.tenant || undefined, limit: 500 });
    if (mine !== generation) return;
    registerState.items = items;
    registerState.status = 'ready';
  } catch (error) {
    if (mine !== generation) return;
    registerState.status = 'error';
    reportError(error, 'mail.list');
  }
  if (!following) {
    following = true;
    // The craftsman reads and finishes items at his desk: the office's list follows by sync.
    on('store.changed', (change) => {
      if (change.table === 'mail_item') void refreshRegister();
    });
  }
}

export function selectRegisterTenant(tenant: string): void {
  registerState.tenant = tenant;
  void refreshRegister();
}

function replace(updated: MailItem): void {
  const index = registerState.items.findIndex((item) => item.id === updated.id);
  if (index >= 0) registerState.items[index] = updated;
}

export async function advanceItem(
  id: string,
  status: MailStatus,
  disposition?: MailDisposition,
  comment?: string,
): Promise<boolean> {
  try {
    replace(await call('mail.advance', { id, status, disposition, comment: comment?.trim() || undefined }));
    return true;
  } catch (error) {
    reportError(error, 'mail.advance');
    return false;
  }
}

export async function changeReceipt(id: string, receivedOn: string, reason: string): Promise<boolean> {
  try {
    replace(await call('mail.changeReceipt', { id, received_on: receivedOn, reason: reason.trim() }));
    return true;
  } catch (error) {
    reportError(error, 'mail.changeReceipt');
    return false;
  }
}

export async function loadRetention(): Promise<void> {
  registerState.retention.status = 'loading';
  try {
    registerState.retention.due = await call('mail.retentionDue');
    registerState.retention.status = 'ready';
  } catch (error) {
    registerState.retention.status = 'error';
    reportError(error, 'mail.retentionDue');
  }
}

/** The lead confirmed: the scans of these items go (synced tombstones). */
export async function purgeDue(ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  try {
    const { purged } = await call('mail.purge', { ids });
    await loadRetention();
    return purged;
  } catch (error) {
    reportError(error, 'mail.purge');
    return 0;
  }
}
