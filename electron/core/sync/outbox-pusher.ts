import { VERSION_IN_FUTURE_CODE, type Change } from '../../../protocol/index.js';
import { PushNarrowing } from './narrowing.js';
import { refusalAction } from './refusal.js';
import type { ServerClock } from './server-clock.js';
import type { PendingChange, SyncStorePort } from './store-port.js';
import { SyncRequestError, type SyncHttpClient } from './sync-client.js';

/** Refusals of versions ahead in one cycle before it backs off: one re-stamp normally ends them. */
const MAX_RESTAMPS_PER_CYCLE = 3;

export interface OutboxPusherDeps {
  store: SyncStorePort;
  client: SyncHttpClient;
  clock: ServerClock;
  log: {
    info(message: string, context?: Record<string, unknown>): void;
    warn(message: string, context?: Record<string, unknown>): void;
  };
  /** Changes per push (≤ MAX_PUSH_CHANGES). */
  batchSize: number;
  /** The engine was stopped: the store may be closed, nothing more is sent. */
  stopped(): boolean;
  /** The outbox changed (acknowledged, quarantined, re-queued): the status must be told. */
  changed(): void;
}

/**
 * The push half of a sync cycle: drains the outbox in batches and decides what each refusal means —
 * a field the server cannot take is quarantined alone (refusal.ts), a change the server keeps failing on
 * is narrowed down and quarantined (narrowing.ts), a clock ahead re-stamps what waits (docs/sync-protocol.md,
 * "Clocks"). Everything else is the cycle's to retry.
 */
export class OutboxPusher {
  private readonly narrowing = new PushNarrowing();
  private clockRefusalsRequeued = false;

  constructor(private readonly deps: OutboxPusherDeps) {}

  /** Pushes every pending change; throws what the cycle must hear (outage, a refusal not about the changes). */
  async pushAll(): Promise<void> {
    this.requeueClockRefusals();
    let limit = this.deps.batchSize;
    let restamps = 0;
    for (;;) {
      if (this.deps.stopped()) return;
      this.restamp();
      const batch = this.deps.store.pendingChanges(limit);
      if (batch.length === 0) return this.narrowing.drained();
      // A field travels once per push: an older pending write of it is obsolete and shares the answer.
      const newest = new Map<string, PendingChange>();
      for (const p of batch) {
        const prev = newest.get(fieldKey(p.change));
        if (!prev || prev.change.version < p.change.version) newest.set(fieldKey(p.change), p);
      }
      const sent = [...newest.values()];
      let answer;
      try {
        answer = await this.deps.client.push(sent.map((p) => p.change));
      } catch (error) {
        if (this.deps.stopped() || !(error instanceof SyncRequestError) || error.wireRefusal) throw error;
        if (error.retryable) {
          const step = this.narrowing.failed(error, batch);
          if (step.kind === 'shrink') limit = step.limit;
          else if (step.kind === 'back_off' || !(await this.serverAnswers()) || this.deps.stopped()) throw error;
          else {
            this.quarantineFailing(step.outboxIds, error);
            limit = this.deps.batchSize;
          }
          continue;
        }
        if (error.code === VERSION_IN_FUTURE_CODE) {
          // Not the change's fault but our clock's: the answer has corrected it (serverTime); the next
          // round re-stamps what waits. Should that not help, back off and keep everything.
          if (++restamps > MAX_RESTAMPS_PER_CYCLE) throw new SyncRequestError(error.code, error.message, undefined, error.item);
          this.deps.log.warn('the server refused versions ahead of its clock; stamping the pending changes again', {
            item: error.item,
            serverTime: error.serverTime,
            offsetMs: this.deps.clock.offset(),
          });
          continue;
        }
        const action = refusalAction(error, batch);
        if (action.kind === 'keep') throw error;
        if (action.kind === 'shrink') limit = action.limit;
        else {
          this.deps.store.quarantine(action.outboxIds, { code: error.code, message: error.message, status: error.status ?? 400 });
          this.deps.log.warn('changes refused by the server quarantined', {
            code: error.code,
            status: error.status,
            item: error.item,
            count: action.outboxIds.length,
          });
          this.deps.changed();
        }
        continue;
      }
      // Stopped meanwhile: the store may be closed. Unacknowledged changes are simply pushed again.
      if (this.deps.stopped()) return;
      this.narrowing.succeeded();
      const statusOf = new Map(sent.map((p, i) => [fieldKey(p.change), answer.results[i]!.status]));
      this.deps.store.acknowledge(batch.map((p) => ({ outboxId: p.outboxId, status: statusOf.get(fieldKey(p.change))! })));
      this.deps.changed();
    }
  }

  /** Whether the server answers a request that writes nothing: a probe before blaming a change. */
  private async serverAnswers(): Promise<boolean> {
    try {
      await this.deps.client.pull(this.deps.store.cursor(), 1);
      return true;
    } catch {
      return false;
    }
  }

  /** A change the server fails on again and again, alone, while it answers otherwise. */
  private quarantineFailing(outboxIds: number[], error: SyncRequestError): void {
    this.deps.store.quarantine(outboxIds, { code: error.code, message: error.message, status: error.status ?? 500 });
    this.deps.log.warn('a change the server keeps failing on was quarantined; the rest of the outbox flows on', {
      code: error.code,
      status: error.status,
      count: outboxIds.length,
    });
    this.deps.changed();
  }

  /**
   * Changes quarantined as `version_in_future` by a build that took a clock ahead for the change's
   * fault go back into the outbox once: they are re-stamped like any other (docs/sync-protocol.md, "Clocks").
   */
  private requeueClockRefusals(): void {
    if (this.clockRefusalsRequeued) return;
    this.clockRefusalsRequeued = true;
    const ids = this.deps.store
      .quarantined(10_000)
      .filter((q) => q.code === VERSION_IN_FUTURE_CODE)
      .map((q) => q.id);
    if (ids.length === 0) return;
    const count = this.deps.store.requeueQuarantined(ids);
    this.deps.log.info('changes quarantined for a clock ahead are pushed again', { count });
    this.deps.changed();
  }

  /** Stamps pending changes again when the store's clock ran ahead of server time (store-port.ts). */
  private restamp(): void {
    const count = this.deps.store.restamp();
    if (count > 0)
      this.deps.log.info('pending changes stamped again in server time', { count, offsetMs: this.deps.clock.offset() });
  }
}

function fieldKey(c: Change): string {
  return `${c.table}/${c.id}/${c.field}`;
}
