import type { SyncStatus, syncMethods } from '../../../protocol/sync-status.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { SyncEngine } from './sync-engine.js';

const DISABLED: SyncStatus = { state: 'disabled', pending: 0, lastSync: null, lastError: null, live: false, quarantined: 0 };

/** Host API of the sync engine; without an engine (no server configured) sync reads as disabled. */
export function syncHandlers(engine: SyncEngine | undefined): HandlersFor<typeof syncMethods> {
  return {
    'sync.status': () => engine?.status() ?? DISABLED,
    'sync.now': async () => (engine ? engine.syncNow() : DISABLED),
    'sync.conflicts': ({ limit }) => engine?.conflicts(limit) ?? [],
    'sync.quarantine': ({ limit }) => engine?.quarantined(limit) ?? [],
    'sync.quarantine.retry': async ({ ids }) => (engine ? engine.retryQuarantined(ids) : DISABLED),
    'sync.quarantine.discard': ({ ids }) => (engine ? engine.discardQuarantined(ids) : DISABLED),
  };
}
