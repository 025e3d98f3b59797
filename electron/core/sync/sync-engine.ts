import { SYNC_WIRE_SUPPORTED, wireMismatch } from '../../../protocol/index.js';
import { backoffDelay, type Backoff } from '../../../protocol/backoff.js';
import type { QuarantinedChange as QuarantinedChangeView, SyncStatus } from '../../../protocol/sync-status.js';
import type { ConflictRecord, SyncStorePort } from './store-port.js';
import { LiveChannel } from './live-channel.js';
import { OutboxPusher } from './outbox-pusher.js';
import { ServerClock } from './server-clock.js';
import {
  SyncHttpClient,
  SyncRequestError,
  type SyncTls,
  type SyncTlsProvider,
  type SyncUrlProvider,
  type WireVersionProvider,
} from './sync-client.js';

/** Where to sync and as whom; the identity bundle supplies both. */
export interface SyncEndpoint {
  url: string;
  tls: SyncTls;
}

interface EngineLog {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

export interface SyncEngineOptions {
  store: SyncStorePort;
  /** The server's https:// URL, or a provider read before every request. */
  serverUrl: SyncUrlProvider;
  /** Called before every connection, so a renewed certificate is used at once. */
  tls: SyncTlsProvider;
  log?: EngineLog;
  /** Changes per push (≤ MAX_PUSH_CHANGES). */
  batchSize?: number;
  pullLimit?: number;
  backoff?: Backoff;
  random?: () => number;
  /** Keep the live socket open (default true). */
  live?: boolean;
  /** The wire version to declare (default: this build's); tests pose as other builds with it. */
  wireVersion?: WireVersionProvider;
  /**
   * Learns the server's time from every answer. The store's clock must run on its `now()`, so that
   * versions are stamped in server time (createCore wires both); default: one of its own.
   */
  clock?: ServerClock;
}

/** Longest wait between live reconnects: how late a user may notice the server is back. */
export const LIVE_RETRY_MAX_MS = 4_000;

/** A failed cycle waits 0.25–0.5 s, doubling per failure up to a minute. */
const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 60_000 };

const silent: EngineLog = { info: () => undefined, warn: () => undefined };

/**
 * Drains the store's outbox to the server and applies what others wrote. One cycle = push every
 * pending change in batches, then pull pages until the server has no more; each page is applied in
 * one store transaction together with its cursor, so a crash at any point loses nothing and applies
 * nothing twice. Failures back off exponentially with jitter; the live socket (or `syncNow`) starts
 * the next cycle at once.
 */
export class SyncEngine {
  private readonly client: SyncHttpClient;
  private readonly clock: ServerClock;
  private readonly store: SyncStorePort;
  private readonly log: EngineLog;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly pullLimit: number;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private readonly blobListeners = new Set<(sha256: string) => void>();
  private state: SyncStatus;
  private started = false;
  private stopped = false;
  private dirty = true;
  private wake: (() => void) | undefined;
  private failures = 0;
  /** Callers of syncNow(), told the status the cycle they waited for ended in. */
  private waiters: ((outcome: SyncStatus) => void)[] = [];
  private loopDone: Promise<void> | undefined;
  private readonly live: LiveChannel;
  private readonly liveEnabled: boolean;
  /** Counting failed once: logged then, not at every status. */
  private countFailureLogged = false;
  /** Listeners that threw once: logged then, not at every status. */
  private readonly brokenListeners = new WeakSet<(status: SyncStatus) => void>();
  /** The server refused our wire version: no retries, no live socket, until the user asks (syncNow). */
  private incompatible = false;
  private readonly pusher: OutboxPusher;

  constructor(options: SyncEngineOptions) {
    this.store = options.store;
    this.log = options.log ?? silent;
    this.clock = options.clock ?? new ServerClock({ log: this.log });
    this.client = new SyncHttpClient(options.serverUrl, options.tls, options.wireVersion, this.clock);
    this.clock.onChange(() => this.emit({ clockOffset: this.clockOffset() }));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    // The live socket is the cheap probe that ends an outage (its 'open' starts a cycle at once), so it
    // keeps trying every few seconds while the cycle's own backoff may have grown to a minute.
    this.live = new LiveChannel({
      open: () => this.client.openLive(),
      canOpen: () => this.client.hasIdentity(),
      backoff: { ...this.backoff, maxMs: Math.min(this.backoff.maxMs, LIVE_RETRY_MAX_MS) },
      random: this.random,
      log: this.log,
      events: {
        opened: () => {
          this.emit({ live: true });
          this.nudge(true);
        },
        announced: (cursor) => {
          if (isAfter(cursor, this.store.cursor())) this.nudge(false);
        },
        blobStored: (sha256) => {
          for (const listener of this.blobListeners) listener(sha256);
        },
        lost: (wasOpen) => {
          if (wasOpen) this.emit({ live: false });
          // The server went away (or a reconnect failed while we still say "online", e.g. a cycle slipped
          // in while it shut down): find out now, a failing cycle says "offline", instead of at the next
          // local edit. Once offline, the cycle's own backoff paces the retries.
          if (wasOpen || this.state.state === 'online') this.nudge(true);
        },
      },
    });
    this.pusher = new OutboxPusher({
      store: this.store,
      client: this.client,
      clock: this.clock,
      log: this.log,
      batchSize: options.batchSize ?? 500,
      stopped: () => this.stopped,
      changed: () => this.emit({}),
    });
    this.pullLimit = options.pullLimit ?? 1000;
    this.liveEnabled = options.live ?? true;
    this.state = {
      state: this.client.hasIdentity() ? 'offline' : 'disabled',
      lastSync: null,
      lastError: null,
      live: false,
      ...this.counts(),
      clockOffset: this.clockOffset(),
    };
  }

  /** The measured offset in whole seconds: finer figures would only make the status flicker. */
  private clockOffset(): number | null {
    const offset = this.clock.offset();
    return offset === null ? null : Math.round(offset / 1000) * 1000;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.loopDone = this.loop();
    if (this.liveEnabled) this.live.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live.close();
    this.wake?.();
    await this.loopDone;
    this.client.close();
    for (const resolve of this.waiters.splice(0)) resolve(this.status());
  }

  status(): SyncStatus {
    return { ...this.state, ...this.counts() };
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The live channel said that a document's bytes are stored on the server now. */
  onBlobStored(listener: (sha256: string) => void): () => void {
    this.blobListeners.add(listener);
    return () => this.blobListeners.delete(listener);
  }

  conflicts(limit: number): ConflictRecord[] {
    return this.store.conflicts(limit);
  }

  quarantined(limit: number): QuarantinedChangeView[] {
    return this.store.quarantined(limit).map(({ change, ...q }) => ({
      ...q,
      table: change.table,
      recordId: change.id,
      tenant: change.tenant,
      field: change.field,
      value: change.value,
    }));
  }

  /** The user asks to try refused changes again (e.g. after IT fixed the directory). */
  async retryQuarantined(ids?: number[]): Promise<SyncStatus> {
    if (this.store.requeueQuarantined(ids) > 0) this.emit({});
    return this.syncNow();
  }

  /** The user gives the refused changes up; the local records keep their values. */
  discardQuarantined(ids?: number[]): SyncStatus {
    this.store.discardQuarantined(ids);
    this.emit({});
    return this.status();
  }

  /** The store wrote something locally: push it soon. */
  notifyLocalChange(): void {
    this.nudge(false);
    this.emit({});
  }

  /** Runs a cycle now (cutting any backoff wait short) and resolves when it has finished. */
  async syncNow(): Promise<SyncStatus> {
    if (!this.started || this.stopped) return this.status();
    const done = new Promise<SyncStatus>((resolve) => this.waiters.push(resolve));
    // The user asks explicitly (perhaps one side was updated): one more try, live socket included.
    this.incompatible = false;
    this.nudge(true);
    if (this.liveEnabled && !this.live.active) this.live.connect(true);
    // The outcome of that cycle, not the state now: a cycle the live socket's 'open' started right
    // after it would already say "syncing".
    return done;
  }

  private nudge(force: boolean): void {
    this.dirty = true;
    if (force || this.failures === 0) {
      this.wake?.();
      this.wake = undefined;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.stopped) break;
      this.dirty = false;
      const waiters = this.waiters.splice(0);
      let failed = false;
      try {
        await this.cycle();
        this.failures = 0;
      } catch (error) {
        failed = true;
        this.failures++;
        this.fail(error);
      }
      // Callers of syncNow() hear the outcome of this cycle, not of the retry after the backoff.
      if (waiters.length > 0) {
        const outcome = this.status();
        for (const resolve of waiters) resolve(outcome);
      }
      if (!failed) continue;
      if (this.incompatible) {
        // Retrying cannot help until one side is updated: wait for the user's "sync now" only
        // (a local edit does not wake us: failures > 0). The outbox keeps everything meanwhile.
        // A "sync now" that arrived during this cycle is still waiting: it gets its own try.
        if (this.waiters.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      this.dirty = true;
      const delay = backoffDelay(this.failures, this.backoff, this.random);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        // An idle, failing engine must never be what keeps the process alive.
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async cycle(): Promise<void> {
    if (!this.client.hasIdentity()) {
      this.emit({ state: 'disabled' });
      throw new SyncRequestError('no_identity', 'no client certificate or sync server is configured');
    }
    // While the server is away every retry would flicker "syncing"; offline stays until one succeeds.
    if (this.state.state !== 'offline' || !this.state.lastError) this.emit({ state: 'syncing' });
    let refused: SyncRequestError | undefined;
    try {
      await this.pusher.pushAll();
    } catch (error) {
      // A refusal not about the changes themselves (certificate, directory) keeps them in the outbox;
      // it must not stop us hearing from others.
      if (error instanceof SyncRequestError && !error.retryable && !error.wireRefusal) refused = error;
      else throw error;
    }
    await this.pullAll();
    if (refused) throw refused;
    this.emit({ state: 'online', lastSync: new Date().toISOString(), lastError: null });
  }

  private async pullAll(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const after = this.store.cursor();
      const page = await this.client.pull(after, this.pullLimit);
      if (this.stopped) return;
      if (page.changes.length > 0 || page.cursor !== after) {
        const result = this.store.applyPulled(page.changes, page.cursor);
        if (result.conflicts > 0) this.log.info('remote values won over local edits', { conflicts: result.conflicts });
      }
      if (!page.more) return;
    }
  }

  private fail(error: unknown): void {
    const e =
      error instanceof SyncRequestError ? error : new SyncRequestError('internal', (error as Error)?.message ?? String(error));
    // Not configured yet is a state, not an error: it says nothing new on every retry.
    if (e.code === 'no_identity') return this.emit({ state: 'disabled' });
    if (e.wireRefusal) return this.refuseVersion(e);
    this.log.warn('sync failed', { code: e.code, status: e.status, reason: e.message });
    this.emit({
      state: 'offline',
      lastError: { code: e.code, message: e.message, ...(e.status ? { status: e.status } : {}), at: new Date().toISOString() },
    });
  }

  /** The server does not speak our wire version: say which side needs an update and stop trying. */
  private refuseVersion(e: SyncRequestError): void {
    this.incompatible = true;
    const client = this.client.declaredVersion();
    const supported = e.supported ?? SYNC_WIRE_SUPPORTED;
    // A server naming a range that includes us is contradictory; "app outdated" is the safer guess.
    const state = wireMismatch(client, supported) ?? 'app_outdated';
    this.log.warn(
      state === 'app_outdated'
        ? 'sync server refused this app as too old; update the app. Not retrying.'
        : 'sync server is older than this app; update the server. Not retrying.',
      { code: e.code, status: e.status, clientVersion: client, supported, pending: this.counts().pending },
    );
    this.live.close();
    this.emit({
      state,
      live: false,
      lastError: { code: e.code, message: e.message, ...(e.status ? { status: e.status } : {}), at: new Date().toISOString() },
    });
  }

  private emit(patch: Partial<SyncStatus>): void {
    const next = { ...this.state, ...patch, ...this.counts() };
    const changed = JSON.stringify(next) !== JSON.stringify(this.state);
    this.state = next;
    if (!changed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener({ ...next });
      } catch (error) {
        // A broken listener must not stop sync; it is named once, not at every status.
        if (this.brokenListeners.has(listener)) continue;
        this.brokenListeners.add(listener);
        this.log.warn('a sync status listener threw', { reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** The outbox's counts; a store that cannot count (closed, disk error) reads as empty and is logged once. */
  private counts(): { pending: number; quarantined: number } {
    try {
      return { pending: this.store.pendingCount(), quarantined: this.store.quarantinedCount() };
    } catch (error) {
      if (!this.countFailureLogged) {
        this.countFailureLogged = true;
        this.log.warn('the sync outbox could not be counted', { reason: error instanceof Error ? error.message : String(error) });
      }
      return { pending: 0, quarantined: 0 };
    }
  }
}

/** Cursors are decimal sequence numbers; compare them as such, not as strings. */
function isAfter(cursor: string, local: string): boolean {
  try {
    return BigInt(cursor) > BigInt(local);
  } catch {
    return true;
  }
}
