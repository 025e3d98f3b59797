import type { SyncConflict, SyncStatus } from '../../../protocol/sync-status.js';
import { HostError } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** Sync state for the status bar and the notes inbox, plus the "überschrieben von …" log. */
export const syncState = $state({
  available: true,
  status: null as SyncStatus | null,
  conflicts: [] as SyncConflict[],
  /** Conflicts the user has looked at and dismissed in this session. */
  dismissed: [] as number[],
});

const POLL_MS = 5000;
let timer: ReturnType<typeof setInterval> | undefined;

async function poll(): Promise<void> {
  try {
    syncState.status = await call('sync.status');
    syncState.available = true;
  } catch (error) {
    syncState.available = false;
    if (!(error instanceof HostError && (error.code === 'unknown_method' || error.code === 'unavailable'))) {
      reportError(error, 'sync.status');
    }
  }
}

export async function loadConflicts(): Promise<void> {
  if (!syncState.available) return;
  try {
    syncState.conflicts = await call('sync.conflicts', { limit: 100 });
  } catch {
    syncState.conflicts = [];
  }
}

/** Starts following sync: the event when the host has it, a slow poll as the fallback. */
export function startSyncStatus(): void {
  if (timer) return;
  void poll().then(loadConflicts);
  on('sync.status', (status) => {
    syncState.status = status;
  });
  timer = setInterval(() => void poll(), POLL_MS);
}

export async function syncNow(): Promise<void> {
  try {
    syncState.status = await call('sync.now');
    await loadConflicts();
  } catch (error) {
    reportError(error, 'sync.now');
  }
}
