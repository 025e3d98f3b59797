import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SyncStatus } from '../../../../../protocol/sync-status.js';
import { SyncEngine } from '../../../../../electron/core/sync/sync-engine.js';
import { TestSyncStore } from '../../../../helpers/test-sync-store.js';

const stores: TestSyncStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** An engine that never reaches a server: the status it reports comes from the store alone. */
function engine() {
  const store = new TestSyncStore(':memory:');
  stores.push(store);
  const warn = vi.fn();
  const sync = new SyncEngine({
    store,
    serverUrl: 'https://127.0.0.1:9',
    tls: () => undefined,
    live: false,
    log: { info: () => undefined, warn },
  });
  return { store, sync, warn };
}

describe('SyncEngine status', () => {
  it('counts the outbox once per change of status, however many listeners there are', () => {
    const { store, sync } = engine();
    const seen: SyncStatus[][] = [[], [], []];
    for (const list of seen) sync.onStatus((s) => list.push(s));
    store.write('note', 'n1', 'tischlerei', 'body', 'Rückruf');
    const pending = vi.spyOn(store, 'pendingCount');
    const quarantined = vi.spyOn(store, 'quarantinedCount');
    sync.notifyLocalChange();
    expect(pending).toHaveBeenCalledTimes(1);
    expect(quarantined).toHaveBeenCalledTimes(1);
    for (const list of seen) expect(list.at(-1)?.pending).toBe(1);
  });

  it('keeps telling the other listeners when one throws, and names the broken one once', () => {
    const { store, sync, warn } = engine();
    sync.onStatus(() => {
      throw new Error('renderer gone');
    });
    const heard: number[] = [];
    sync.onStatus((s) => heard.push(s.pending));
    store.write('note', 'n1', 'tischlerei', 'body', 'a');
    sync.notifyLocalChange();
    store.write('note', 'n2', 'tischlerei', 'body', 'b');
    sync.notifyLocalChange();
    expect(heard).toEqual([1, 2]);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('listener'))).toEqual([
      ['a sync status listener threw', { reason: 'renderer gone' }],
    ]);
  });

  it('reads a store that cannot count as empty and logs that once', () => {
    const { store, sync, warn } = engine();
    vi.spyOn(store, 'pendingCount').mockImplementation(() => {
      throw new Error('database is closed');
    });
    expect(sync.status().pending).toBe(0);
    expect(sync.status().pending).toBe(0);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('counted'))).toEqual([
      ['the sync outbox could not be counted', { reason: 'database is closed' }],
    ]);
  });
});
