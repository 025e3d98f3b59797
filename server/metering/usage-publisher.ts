import type { BillingSource } from '../../protocol/billing-lines.js';
import type { Database } from '../db/database.js';
import type { Directory } from '../home/directory.js';
import { currentUsage, publishUsage } from './budget-usage.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Keeps every budget firm's firm_usage record current: after new CDRs were ingested, within a second
 * of commits (a contract or a call synced), and every minute (on PostgreSQL the PBX writes its CDRs
 * without telling the server). Runs never overlap; a request during a run makes one more run after it.
 */
export class UsagePublisher {
  private running: Promise<void> | undefined;
  private again = false;
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

  refresh(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch((error: Error) => this.log('budget usage not published', { reason: error.message }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  /** A commit may have changed a contract or a call: one run within `delayMs`, however many commits come. */
  soon(delayMs = 1000): void {
    if (this.stopped || this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.refresh();
    }, delayMs);
    this.soonTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    this.stopped = true;
    this.again = false;
    await this.running;
  }

  /** Resolves when the current run (if any) is over: tests. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    for (const tenant of this.directory().tenants) {
      const usage = await currentUsage(this.source, tenant.id);
      if (usage) await publishUsage(this.db, this.nodeId, tenant.id, usage);
    }
  }
}
