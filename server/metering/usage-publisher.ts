import type { BillingSource } from '../../protocol/billing-lines.js';
import type { Database } from '../db/database.js';
import type { Directory } from '../home/directory.js';
import { currentUsage, publishUsage } from './budget-usage.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Keeps every budget firm's firm_usage record current: after new CDRs were ingested, within a second
 * of a commit for the firms it names (a contract or a call synced), and every minute (on PostgreSQL the
 * PBX writes its CDRs without telling the server). Runs never overlap; what is asked for during a run
 * makes one more run after it.
 */
export class UsagePublisher {
  private running: Promise<void> | undefined;
  /** The firms the next run recomputes (`all`: every firm in the directory). */
  private wanted: Set<string> | 'all' | undefined;
  /** The firms commits named since the pending `soon` timer was set. */
  private soonWanted: Set<string> | 'all' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly source: BillingSource,
    private readonly directory: () => Directory,
    private readonly nodeId: string,
    private readonly log: Log,
  ) {}

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => this.refresh(), intervalMs);
    this.timer.unref();
    this.refresh();
  }

  /** Every firm, as soon as no run is under way. */
  refresh(): void {
    if (this.stopped) return;
    this.wanted = 'all';
    this.drain();
  }

  /**
   * A commit named `tenants` (null: any firm may have changed): those firms within `delayMs`, in one run
   * however many commits come — a busy office's stream of commits costs one run per second of its firms.
   */
  soon(tenants: readonly string[] | null, delayMs = 1000): void {
    if (this.stopped) return;
    this.soonWanted = merge(this.soonWanted, tenants === null ? 'all' : new Set(tenants));
    if (this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.wanted = merge(this.wanted, this.soonWanted!);
      this.soonWanted = undefined;
      this.drain();
    }, delayMs);
    this.soonTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    this.stopped = true;
    this.wanted = this.soonWanted = undefined;
    await this.running;
  }

  /** Resolves when the current run (if any) is over: tests. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private drain(): void {
    if (this.running || this.stopped || !this.wanted) return;
    const wanted = this.wanted;
    this.wanted = undefined;
    this.running = this.run(wanted)
      .catch((error: Error) => this.log('budget usage not published', { reason: error.message }))
      .finally(() => {
        this.running = undefined;
        this.drain();
      });
  }

  private async run(wanted: Set<string> | 'all'): Promise<void> {
    for (const tenant of this.directory().tenants) {
      if (wanted !== 'all' && !wanted.has(tenant.id)) continue;
      const usage = await currentUsage(this.source, tenant.id);
      if (usage) await publishUsage(this.db, this.nodeId, tenant.id, usage);
    }
  }
}

function merge(a: Set<string> | 'all' | undefined, b: Set<string> | 'all'): Set<string> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  return a ? new Set([...a, ...b]) : b;
}
