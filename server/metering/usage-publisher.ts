import type { BillingSource } from '../../protocol/billing-lines.js';
import type { Database } from '../db/database.js';
import type { Directory } from '../home/directory.js';
import { currentUsage, publishUsage } from './budget-usage.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Keeps every budget firm's firm_usage record current: after new CDRs were ingested, and every
 * minute (on PostgreSQL the PBX writes its CDRs without telling the server). Runs never overlap; a
 * request during a run makes one more run after it.
 */
export class UsagePublisher {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

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

  async stop(): Promise<void> {
    clearInterval(this.timer);
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
