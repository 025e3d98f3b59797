import type { SyncConflict } from '../../../protocol/sync-status.js';
import { ContactPatch, NotePatch } from '../../../protocol/index.js';
import { call } from '../lib/host/client.js';

/**
 * Restoring a lost value is an ordinary new edit of that field: it gets a newer version and syncs
 * like any other change. Only fields the UI can edit are restorable; others return false.
 */
export async function restoreConflict(conflict: SyncConflict): Promise<boolean> {
  const patch = { [conflict.field]: conflict.lostValue };
  if (conflict.table === 'note') {
    const parsed = NotePatch.safeParse(patch);
    if (!parsed.success) return false;
    await call('notes.update', { id: conflict.recordId, patch: parsed.data });
    return true;
  }
  if (conflict.table === 'contact') {
    const parsed = ContactPatch.safeParse(patch);
    if (!parsed.success) return false;
    await call('contacts.update', { id: conflict.recordId, patch: parsed.data });
    return true;
  }
  return false;
}

export function isRestorable(conflict: SyncConflict): boolean {
  const patch = { [conflict.field]: conflict.lostValue };
  if (conflict.table === 'note') return NotePatch.safeParse(patch).success;
  if (conflict.table === 'contact') return ContactPatch.safeParse(patch).success;
  return false;
}
