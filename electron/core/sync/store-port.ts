import type { Change, PulledChange } from '../../../protocol/index.js';

/** One outbox entry: a local field write waiting to be pushed. */
export interface PendingChange {
  outboxId: number;
  change: Change;
}

export interface PushOutcome {
  outboxId: number;
  status: 'applied' | 'superseded';
}

/** A local edit that lost to a newer remote write of the same field ("überschrieben von …"). */
export interface ConflictRecord {
  id: number;
  table: Change['table'];
  recordId: string;
  tenant: string;
  field: string;
  lostValue: Change['value'];
  winningValue: Change['value'];
  winningVersion: string;
  author: string;
  at: string;
}

/** Why the server refused a change for good (400/403/413 naming it). */
export interface QuarantineReason {
  code: string;
  message: string;
  status: number;
}

/** A local change the server refused for good: out of the outbox, kept until retried or discarded. */
export interface QuarantinedChange extends QuarantineReason {
  id: number;
  change: Change;
  at: string;
}

/**
 * What the sync engine needs from the local store, and nothing more. The store implements it
 * (electron/core/store); the engine (electron/core/sync) drives it. Every method is synchronous
 * and transactional: better-sqlite3 makes that cheap, and it keeps the cursor, the data and the
 * outbox consistent through any crash.
 */
export interface SyncStorePort {
  /** The oldest pending local changes, at most `limit`, in the order they were written. */
  pendingChanges(limit: number): PendingChange[];
  pendingCount(): number;
  /**
   * Removes pushed entries from the outbox. A `superseded` entry is remembered so that when the
   * winning value arrives by pull, a conflict record names who overwrote what.
   */
  acknowledge(outcomes: PushOutcome[]): void;
  /**
   * Applies one pulled page in one transaction: each field is written only when the incoming
   * version is greater than the local one; the cursor is stored in the same transaction; a pending
   * or superseded local change that loses is recorded as a conflict. Versions seen advance the
   * store's clock.
   */
  applyPulled(changes: PulledChange[], cursor: string): { applied: number; conflicts: number };
  /**
   * When the store's clock runs more than `MAX_CLOCK_SKEW_MS` ahead of its (server-corrected) time —
   * it ticked on a wrong wall clock before the offset was known — pulls it back and stamps every
   * pending change stamped up there again, in write order, with the field versions following; in
   * one transaction. Answers how many changes were stamped again (0, cheaply, when the clock is fine).
   */
  restamp(): number;
  /** The cursor of the last applied page ("0" before the first). */
  cursor(): string;
  conflicts(limit: number): ConflictRecord[];
  /** Moves outbox entries to the quarantine with the reason, in one transaction; nothing is dropped. */
  quarantine(outboxIds: number[], reason: QuarantineReason): void;
  /** Quarantined changes, oldest first. */
  quarantined(limit: number): QuarantinedChange[];
  quarantinedCount(): number;
  /** Puts quarantined changes (the given ones, or all) back at the end of the outbox; answers how many. */
  requeueQuarantined(ids?: number[]): number;
  /** Gives up syncing quarantined changes (the given ones, or all); the local records keep their values. */
  discardQuarantined(ids?: number[]): number;
}
