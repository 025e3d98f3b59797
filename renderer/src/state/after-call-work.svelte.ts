/**
 * After-call work (docs/billing.md): from the hang-up of an answered call until its note is saved.
 * The phone state tells this module when a call ended; the note form when it saved the call's note.
 * Each save after the hang-up writes the call's `after_call_work_seconds` anew (the last save counts)
 * and ends "Nacharbeit" in presence.
 */
import { call } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** Call record id → when the call ended (this computer's clock; only the difference matters). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not rendered state
const ended = new Map<string, number>();
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- subscribers, not rendered state
const doneListeners = new Set<() => void>();
/** A note written hours later is not after-call work: that long, and no longer, a save counts. */
const WINDOW_MS = 60 * 60_000;

export function callEnded(recordId: string, endedAt: number): void {
  if (!ended.has(recordId)) ended.set(recordId, endedAt);
}

export function onAfterCallWorkDone(listener: () => void): () => void {
  doneListeners.add(listener);
  return () => doneListeners.delete(listener);
}

/** The note of `recordId` was saved at `now`. */
export async function noteSaved(recordId: string | null | undefined, now = Date.now()): Promise<void> {
  const at = recordId ? ended.get(recordId) : undefined;
  if (!recordId || at === undefined) return;
  if (now - at > WINDOW_MS) {
    ended.delete(recordId);
    return;
  }
  for (const listener of doneListeners) listener();
  const seconds = Math.min(86_400, Math.max(0, Math.round((now - at) / 1000)));
  try {
    await call('calls.update', { id: recordId, patch: { after_call_work_seconds: seconds } });
  } catch (error) {
    reportError(error, 'calls.update');
  }
}
