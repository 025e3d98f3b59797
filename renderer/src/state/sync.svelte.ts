import type { QuarantinedChange, SyncConflict, SyncStatus } from '../../../protocol/sync-status.js';
import { HostError } from '../../../protocol/index.js';
import { setClockOffset } from '../lib/clock.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** Sync state for the status bar and the notes inbox, plus the "überschrieben von …" log. */
export const syncState = $state({
  available: true,
  status: null as SyncStatus | null,
  conflicts: [] as SyncConflict[],
  /** Conflicts the user has looked at and dismissed in this session. */
  dismissed: [] as number[],
  /** Local changes the server refused for good, with its reasons (kept until retried or discarded). */
  quarantine: [] as QuarantinedChange[],
  /** A retry or discard is running: the buttons wait for it. */
  quarantineBusy: false,
});

/** One line per reason: what the server said, how many changes it concerns. */
export interface QuarantineReason {
  code: string;
  status: number;
  message: string;
  count: number;
}

export function quarantineReasons(entries: readonly QuarantinedChange[]): QuarantineReason[] {
  const byCode: Record<string, QuarantineReason> = {};
  for (const e of entries) {
    const reason = (byCode[`${e.status}:${e.code}`] ??= { code: e.code, status: e.status, message: e.message, count: 0 });
    reason.count++;
  }
  return Object.values(byCode).sort((a, b) => b.count - a.count);
}

const POLL_MS = 5000;
let timer: ReturnType<typeof setInterval> | undefined;

/** Takes a status; the quarantine list is reloaded when its count moved. */
function setStatus(status: SyncStatus): void {
  const moved = status.quarantined !== (syncState.status?.quarantined ?? 0) || status.quarantined !== syncState.quarantine.length;
  syncState.status = status;
  setClockOffset(status.clockOffset);
  if (moved) void loadQuarantine();
}

async function poll(): Promise<void> {
  try {
    setStatus(await call('sync.status'));
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

export async function loadQuarantine(): Promise<void> {
  if (!syncState.available) return;
  try {
    syncState.quarantine = await call('sync.quarantine', { limit: 1000 });
  } catch (error) {
    reportError(error, 'sync.quarantine');
  }
}

/** Sends the refused changes again (e.g. after IT changed the directory); still refused, they come back. */
export async function retryQuarantine(): Promise<void> {
  await quarantineAction('sync.quarantine.retry');
}

/** Gives the refused changes up: they stay only on this device. */
export async function discardQuarantine(): Promise<void> {
  await quarantineAction('sync.quarantine.discard');
}

async function quarantineAction(method: 'sync.quarantine.retry' | 'sync.quarantine.discard'): Promise<void> {
  if (syncState.quarantineBusy) return;
  syncState.quarantineBusy = true;
  try {
    const ids = syncState.quarantine.map((q) => q.id);
    setStatus(await call(method, ids.length > 0 ? { ids } : {}));
    await loadQuarantine();
  } catch (error) {
    reportError(error, method);
  } finally {
    syncState.quarantineBusy = false;
  }
}

/** Starts following sync: the event when the host has it, a slow poll as the fallback. */
export function startSyncStatus(): void {
  if (timer) return;
  void poll().then(loadConflicts);
  on('sync.status', (status) => setStatus(status));
  timer = setInterval(() => void poll(), POLL_MS);
}

export async function syncNow(): Promise<void> {
  try {
    setStatus(await call('sync.now'));
    await loadConflicts();
  } catch (error) {
    reportError(error, 'sync.now');
  }
}
