import type { SyncRequestError } from './sync-client.js';
import type { PendingChange } from './store-port.js';

/** Server errors in a row (across cycles) before the engine suspects the changes, not the server. */
export const SUSPECT_AFTER = 3;

export type NarrowStep =
  /** Nothing to narrow (yet): back off and try the same batch again, as for any outage. */
  | { kind: 'back_off' }
  /** Try again at once with at most this many entries. */
  | { kind: 'shrink'; limit: number }
  /**
   * This single entry failed twice in a row while narrowing: quarantine it with the server's
   * answer, once the server has shown it still answers other requests.
   */
  | { kind: 'isolate'; outboxIds: number[] };

/** 503: the database is away; 507: its disk is full. No smaller batch cures either, waiting does. */
const OUTAGE_STATUSES = new Set([503, 507]);

/**
 * Whether a failed push counts towards narrowing: the server answered, with a 5xx other than an
 * outage of its database. Network failures do not count.
 */
export function isServerFault(error: SyncRequestError): boolean {
  return error.status !== undefined && error.status >= 500 && !OUTAGE_STATUSES.has(error.status);
}

/**
 * Defence in depth against a change the server cannot handle and does not refuse (a 500 for one
 * field): such a batch would fail forever and block the outbox behind it. After SUSPECT_AFTER server
 * errors in a row the engine halves its batches at once, without waiting, until the failing entry
 * is alone; an entry failing alone twice in a row is quarantined (the caller checks first that the
 * server answers otherwise, so an outage never quarantines anything). Every entry before it flows
 * on in the smaller batches, and after it the batch size is restored.
 */
export class PushNarrowing {
  private strikes = 0;
  private lastSingle: number | undefined;

  get narrowing(): boolean {
    return this.strikes >= SUSPECT_AFTER;
  }

  failed(error: SyncRequestError, batch: readonly PendingChange[]): NarrowStep {
    if (!isServerFault(error) || batch.length === 0) return { kind: 'back_off' };
    this.strikes++;
    if (!this.narrowing) return { kind: 'back_off' };
    if (batch.length > 1) {
      this.lastSingle = undefined;
      return { kind: 'shrink', limit: Math.floor(batch.length / 2) };
    }
    const id = batch[0]!.outboxId;
    if (this.lastSingle !== id) {
      // One more try of this entry alone: a single stray 500 must not quarantine a good change.
      this.lastSingle = id;
      return { kind: 'shrink', limit: 1 };
    }
    this.lastSingle = undefined;
    return { kind: 'isolate', outboxIds: [id] };
  }

  /** A push was answered. While narrowing, the suspicion stays until the outbox is empty. */
  succeeded(): void {
    this.lastSingle = undefined;
    if (!this.narrowing) this.strikes = 0;
  }

  /** The outbox is empty: whatever failed has been isolated or has passed. */
  drained(): void {
    this.strikes = 0;
    this.lastSingle = undefined;
  }
}
