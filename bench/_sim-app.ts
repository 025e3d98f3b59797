/**
 * A simulated app for the scale and soak benches: what one installed Vermittlung does to the
 * servers, without Electron or Chromium. The real sync engine (electron/core/sync) over mutual TLS
 * with the user's own certificate — push, pull and the live socket — on an in-memory SQLite store,
 * and the SIP side of bench/_sim-sip.ts against the real Kamailio: registered with keep-alive,
 * presence published, each team colleague subscribed.
 */
import { randomUUID } from 'node:crypto';
import { SyncEngine } from '../electron/core/sync/sync-engine.js';
import type { PulledChange } from '../protocol/index.js';
import { TestSyncStore } from '../test/helpers/test-sync-store.js';
import { SimSip, type SimTls } from './_sim-sip.js';

export interface SimAppOptions {
  user: string;
  tenant: string;
  /** Colleagues in the same firm, whose presence this app subscribes to. */
  team: string[];
  serverUrl: string;
  pbxWss: string;
  domain: string;
  tls: SimTls;
}

export interface SimAppTimes {
  registerMs: number;
}

const quietLog = { warn: () => undefined, info: () => undefined, error: () => undefined };

export class SimApp {
  readonly store = new TestSyncStore(':memory:');
  readonly engine: SyncEngine;
  readonly sip: SimSip;
  /** Record ids this app waits to see pulled, with the waiter's callback. */
  private readonly awaited = new Map<string, (at: number) => void>();
  private background: NodeJS.Timeout | undefined;

  constructor(readonly options: SimAppOptions) {
    this.engine = new SyncEngine({
      store: this.store,
      serverUrl: options.serverUrl,
      tls: () => options.tls,
      live: true,
      log: quietLog,
    });
    const apply = this.store.applyPulled.bind(this.store);
    this.store.applyPulled = (changes: PulledChange[], cursor: string) => {
      const result = apply(changes, cursor);
      if (this.awaited.size > 0) {
        const at = performance.now();
        for (const change of changes) this.awaited.get(change.id)?.(at);
      }
      return result;
    };
    this.sip = new SimSip(options.pbxWss, options.user, options.domain, options.tls);
  }

  get user(): string {
    return this.options.user;
  }

  /** Sync first (live socket open), then the PBX: registered, published, team subscribed. */
  async start(): Promise<SimAppTimes> {
    this.engine.start();
    await this.engine.syncNow();
    for (let i = 0; !this.engine.status().live; i++) {
      if (i > 300) throw new Error(`${this.user}: live socket not open within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.sip.connect();
    const registerMs = await this.sip.register();
    this.sip.startKeepAlive();
    await this.sip.publish('available');
    for (const colleague of this.options.team) await this.sip.subscribe(colleague);
    return { registerMs };
  }

  /** One field change in this app's firm, pushed at once; resolves with the record id and the push's ms. */
  async edit(
    id: string = randomUUID(),
    body = `Rückruf: Angebot für die Treppe ${Date.now()}`,
  ): Promise<{ id: string; pushMs: number; startedAt: number }> {
    const startedAt = performance.now();
    this.store.write('note', id, this.options.tenant, 'body', body);
    // A cycle already under way (a live nudge's pull) may have read the outbox before this write; the
    // write then goes with the next cycle, and the sample includes that wait, as the user would see it.
    for (let cycle = 0; this.store.pendingCount() > 0; cycle++) {
      if (cycle === 5) throw new Error(`${this.user}: ${this.store.pendingCount()} changes still pending after 5 sync cycles`);
      await this.engine.syncNow();
    }
    return { id, pushMs: performance.now() - startedAt, startedAt };
  }

  /** Resolves with the moment the record `id` was applied from a pull (the live socket's nudge). */
  seen(id: string, timeoutMs = 15_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.awaited.delete(id);
        reject(new Error(`${this.user}: change ${id} not pulled within ${timeoutMs} ms`));
      }, timeoutMs);
      this.awaited.set(id, (at) => {
        clearTimeout(timer);
        this.awaited.delete(id);
        resolve(at);
      });
    });
  }

  /** Edits at random moments, on average one per `meanMs`, as a working office does in the background. */
  startBackground(meanMs: number): void {
    const next = () => {
      this.background = setTimeout(
        () =>
          void this.edit()
            .catch(() => undefined)
            .finally(() => this.background && next()),
        meanMs * (0.5 + Math.random()),
      );
      this.background.unref();
    };
    next();
  }

  stopBackground(): void {
    clearTimeout(this.background);
    this.background = undefined;
  }

  async close(): Promise<void> {
    this.stopBackground();
    // Left behind, the subscriptions would expire together later, each with a NOTIFY that can no
    // longer be delivered, while the next apps start.
    await this.sip.leave();
    this.sip.close();
    await this.engine.stop();
    this.store.close();
  }
}
