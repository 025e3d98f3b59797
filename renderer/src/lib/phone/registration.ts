import { Registerer, RegistererState, type UserAgent } from 'sip.js';
import { backoffDelay, type Backoff } from '../../../../protocol/backoff.js';
import { sleep, watchTimerGaps } from './timers.js';
import { checkMove } from './registration-state.js';
import type { RegistrationView } from './types.js';

export interface RegistrationOptions {
  expires?: number;
  /** OPTIONS ping interval while registered; a ping unanswered for `pingTimeoutMs` means a dead link. */
  keepAliveMs?: number;
  pingTimeoutMs?: number;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  onChange(view: RegistrationView): void;
  /** Sends one OPTIONS to the registrar; resolves on any final response. */
  ping(): Promise<void>;
}

/**
 * Reconnect delays: quick first retries (a PBX restart is back within a second or two, and the
 * ≤ 10 s re-registration target must hold), then doubling up to 30 s, each ±20 %.
 */
export const RECONNECT_BACKOFF: Backoff = { baseMs: 250, maxMs: 30_000, jitter: [0.8, 1.2] };

/** Registerer internals we need to abandon one cleanly (SIP.js leaves recovery to the app). */
interface RegistererInternals {
  clearTimers(): void;
}

/**
 * Keeps the user agent registered without user action. SIP.js connects and registers once; this
 * reconnects the transport with backoff after it drops (PBX restart, network loss, the main
 * process's WSS reconnecting), registers anew on every connect, re-checks after sleep/resume and
 * when the page becomes visible, waits while the OS is offline, and pings the registrar so a
 * half-open connection is noticed within one keep-alive interval.
 *
 * Every (re)connect gets a fresh Registerer: one whose REGISTER went out on a dead connection
 * stays "waiting" until its transaction times out (32 s) and would block the re-registration.
 */
export class RegistrationKeeper {
  private current: RegistrationView = { status: 'unregistered', attempt: 0, recoveries: 0 };
  private registerer: Registerer | undefined;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private stopGapWatch: (() => void) | undefined;
  private everRegistered = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly ua: UserAgent,
    private readonly options: RegistrationOptions,
  ) {}

  get view(): Readonly<RegistrationView> {
    return this.current;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const online = () => this.retryNow('network back online');
    const offline = () => {
      this.set({ status: 'offline', detail: 'the operating system reports no network' });
      this.clearRetry();
    };
    const visible = () => {
      if (document.visibilityState === 'visible') this.check('page visible again');
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visible);
    this.cleanups.push(
      () => window.removeEventListener('online', online),
      () => window.removeEventListener('offline', offline),
      () => document.removeEventListener('visibilitychange', visible),
    );
    this.stopGapWatch = watchTimerGaps((gap) => this.check(`timer gap of ${gap} ms (sleep or freeze)`));
    this.ua.delegate = {
      ...this.ua.delegate,
      onConnect: () => void this.register(),
      onDisconnect: (error) => this.lost(error ? `transport lost: ${error.message}` : 'transport closed'),
    };
    this.set({ status: 'connecting', attempt: 0 });
    try {
      await this.ua.start();
    } catch (error) {
      this.lost(`connect failed: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearRetry();
    this.stopKeepAlive();
    this.stopGapWatch?.();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    const registerer = this.registerer;
    this.registerer = undefined;
    if (registerer?.state === RegistererState.Registered) {
      await Promise.race([registerer.unregister().catch(() => undefined), sleep(1500)]);
    }
    this.set({ status: 'unregistered', attempt: 0 });
  }

  /** Re-checks the registration now: after sleep, on visibility, or when the user asks. */
  check(reason: string): void {
    if (!this.running) return;
    this.options.log('info', `registration check: ${reason}`);
    if (!this.ua.isConnected()) this.retryNow(reason);
    else void this.register();
  }

  private retryNow(reason: string): void {
    if (!this.running) return;
    this.options.log('info', `reconnecting now: ${reason}`);
    this.clearRetry();
    void this.reconnect();
  }

  private lost(detail: string): void {
    if (!this.running) return;
    this.stopKeepAlive();
    this.abandonRegisterer();
    if (!navigator.onLine) {
      this.set({ status: 'offline', detail });
      return;
    }
    this.schedule(detail);
  }

  private schedule(detail: string): void {
    if (!this.running || this.retryTimer) return;
    const attempt = this.view.attempt + 1;
    const delay = backoffDelay(attempt, RECONNECT_BACKOFF);
    this.options.log('warn', `${detail}; retry ${attempt} in ${delay} ms`);
    this.set({ status: this.view.status === 'failed' ? 'failed' : 'reconnecting', attempt, detail });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (!this.running) return;
    if (this.ua.isConnected()) {
      await this.register();
      return;
    }
    try {
      await this.ua.reconnect();
      // onConnect registers.
    } catch (error) {
      this.schedule(`reconnect failed: ${(error as Error).message}`);
    }
  }

  private abandonRegisterer(): void {
    const old = this.registerer;
    this.registerer = undefined;
    if (old) (old as unknown as RegistererInternals).clearTimers();
  }

  private async register(): Promise<void> {
    if (!this.running) return;
    this.abandonRegisterer();
    const registerer = new Registerer(this.ua, { expires: this.options.expires ?? 300, refreshFrequency: 80 });
    this.registerer = registerer;
    registerer.stateChange.addListener((state) => {
      if (this.registerer !== registerer) return;
      if (state === RegistererState.Registered) {
        const recovered = this.everRegistered && this.view.status !== 'registered';
        this.everRegistered = true;
        this.set({
          status: 'registered',
          attempt: 0,
          detail: undefined,
          registeredAt: Date.now(),
          recoveries: this.view.recoveries + (recovered ? 1 : 0),
        });
        this.startKeepAlive();
      } else if (state === RegistererState.Unregistered && this.running) {
        this.stopKeepAlive();
        this.schedule('registration lapsed');
      }
    });
    this.set({ status: this.view.status === 'failed' ? 'failed' : 'registering' });
    try {
      await registerer.register({
        requestDelegate: {
          onReject: (response) => {
            if (this.registerer !== registerer) return;
            const code = response.message.statusCode;
            this.set({ status: 'failed', detail: `REGISTER refused: ${code} ${response.message.reasonPhrase}` });
            this.schedule(`REGISTER refused with ${code}`);
          },
        },
      });
    } catch (error) {
      this.schedule(`REGISTER not sent: ${(error as Error).message}`);
    }
  }

  private startKeepAlive(): void {
    this.stopKeepAlive();
    const interval = this.options.keepAliveMs ?? 25_000;
    this.keepAliveTimer = setInterval(() => void this.pingOnce(), interval);
  }

  private async pingOnce(): Promise<void> {
    const timeout = this.options.pingTimeoutMs ?? 5000;
    const answered = await Promise.race([
      this.options.ping().then(
        () => true,
        () => true,
      ),
      sleep(timeout).then(() => false),
    ]);
    if (!answered && this.running && this.view.status === 'registered') {
      this.options.log('warn', `keep-alive unanswered for ${timeout} ms: reconnecting`);
      await this.ua.transport.disconnect().catch(() => undefined);
      this.lost('keep-alive unanswered');
    }
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** The one place the view changes; a status change the state table does not allow throws. */
  private set(patch: Partial<RegistrationView>): void {
    if (patch.status) checkMove(this.view.status, patch.status);
    this.current = { ...this.current, ...patch };
    this.options.onChange(this.current);
  }
}
