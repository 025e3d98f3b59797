import type { MailDisposition, MailItem } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { t } from '../lib/i18n/index.js';
import { formatGermanDate } from '../lib/time/german.js';
import { postOrder } from '../lib/mail/post-order.js';
import { get } from 'svelte/store';
import { reportError } from './errors.svelte.js';
import { identityState } from './identity.svelte.js';
import { go } from './navigation.svelte.js';

/**
 * The craftsman's "Post" screen: his firm's mail as the office registered it, unread first, and what
 * he does with it (read, erledigt with a comment, allow the paper to be destroyed).
 */
interface PostState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: MailItem[];
  /** The item shown beside the list (its scans in the viewer). */
  openId: string | null;
}

export const postState = $state<PostState>({ status: 'idle', items: [], openId: null });

let generation = 0;
let following = false;
let listening = false;

export async function refreshPost(): Promise<void> {
  if (!listening) {
    listening = true;
    // The office files on another PC; sync brings the item and its scans, the list follows.
    on('store.changed', (change) => {
      if (change.table === 'mail_item' || change.table === 'document') void refreshPost();
    });
  }
  const mine = ++generation;
  if (postState.items.length === 0) postState.status = 'loading';
  try {
    const items = await call('mail.list', { limit: 500 });
    if (mine !== generation) return;
    postState.items = postOrder(items);
    postState.status = 'ready';
  } catch (error) {
    if (mine !== generation) return;
    postState.status = 'error';
    reportError(error, 'mail.list');
  }
}

export function unreadCount(): number {
  return postState.items.filter((item) => !item.read_at && item.status !== 'erledigt').length;
}

/**
 * For a craftsman (called again whenever the identity changes, e.g. right after the import): keeps
 * the list and the nav's unread count live and shows a desktop notification for each new piece of
 * mail; a click on it opens the item on "Post".
 */
export function followPost(): void {
  if (following || identityState.summary?.role !== 'craftsman') return;
  following = true;
  void refreshPost();
  on('mail.arrived', (mail) => {
    void refreshPost();
    const translate = get(t);
    const body = mail.deadline
      ? translate('post.notification.bodyDeadline', {
          values: { kind: translate(`mail.kind.${mail.kind}`), deadline: formatGermanDate(mail.deadline) },
        })
      : translate(`mail.kind.${mail.kind}`);
    call('desktop.notify', {
      id: `mail-${mail.id}`,
      kind: 'mail',
      title: translate('post.notification.title', { values: { sender: mail.sender } }),
      body,
    }).catch((error: unknown) => reportError(error, 'desktop.notify'));
  });
  on('desktop.notification.clicked', (click) => {
    if (click.kind !== 'mail') return;
    go('post');
    void openPostItem(click.id.replace(/^mail-/, ''));
  });
}

function replace(updated: MailItem): void {
  const index = postState.items.findIndex((item) => item.id === updated.id);
  if (index >= 0) postState.items[index] = updated;
  postState.items = postOrder(postState.items);
}

/** Opening an unread item marks it read: the office sees that the craftsman has seen it. */
export async function openPostItem(id: string): Promise<void> {
  postState.openId = id;
  const item = postState.items.find((entry) => entry.id === id);
  if (item && item.read_at) return;
  try {
    replace(await call('mail.markRead', { id }));
  } catch (error) {
    reportError(error, 'mail.markRead');
  }
}

export function closePostItem(): void {
  postState.openId = null;
}

/** "Erledigt" with the craftsman's comment; the paper stays archived unless he says otherwise. */
export async function finishPostItem(id: string, comment: string, disposition: MailDisposition = 'archiviert'): Promise<boolean> {
  try {
    replace(await call('mail.advance', { id, status: 'erledigt', disposition, comment: comment.trim() || undefined }));
    return true;
  } catch (error) {
    reportError(error, 'mail.advance');
    return false;
  }
}

export async function confirmDisposal(id: string): Promise<void> {
  try {
    replace(await call('mail.confirmDisposal', { id }));
  } catch (error) {
    reportError(error, 'mail.confirmDisposal');
  }
}
