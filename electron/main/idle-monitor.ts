/**
 * "Abwesend" after idle time in the Electron shell: `powerMonitor.getSystemIdleTime()` counts input
 * anywhere on the machine, not just in our window, and a locked screen means away at once. Polled,
 * because Electron has no idle event; the source and timers are injected so the logic is testable
 * without Electron.
 */
export interface IdleSource {
  /** Seconds since the last keyboard/mouse input on the whole machine. */
  idleSeconds(): number;
  /** Registers screen lock/unlock listeners; returns a function removing them. */
  onLockChange(listener: (locked: boolean) => void): () => void;
}

export interface IdleTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: IdleTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** Often enough that "back at the desk" shows within seconds, rare enough to cost nothing. */
export const IDLE_POLL_MS = 5_000;

export class SystemIdleMonitor {
  private thresholdSeconds = 0;
  private idle = false;
  private locked = false;
  private timer: unknown;
  private removeLock: (() => void) | undefined;

  constructor(
    private readonly source: IdleSource,
    private readonly onChange: (idle: boolean) => void,
    private readonly timers: IdleTimers = realTimers,
  ) {}

  /** 0 stops watching (and reports "not idle" if it was). */
  watch(thresholdSeconds: number): void {
    this.thresholdSeconds = thresholdSeconds;
    if (thresholdSeconds <= 0) {
      this.stop();
      this.set(false);
      return;
    }
    if (this.timer === undefined) this.timer = this.timers.setInterval(() => this.check(), IDLE_POLL_MS);
    this.removeLock ??= this.source.onLockChange((locked) => {
      this.locked = locked;
      this.check();
    });
    this.check();
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = undefined;
    this.removeLock?.();
    this.removeLock = undefined;
    this.locked = false;
  }

  private check(): void {
    if (this.thresholdSeconds <= 0) return;
    let seconds: number;
    try {
      seconds = this.source.idleSeconds();
    } catch {
      // Some Linux sessions (Wayland without the idle protocol) cannot tell: keep the last state.
      return;
    }
    this.set(this.locked || seconds >= this.thresholdSeconds);
  }

  private set(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.onChange(idle);
  }
}
