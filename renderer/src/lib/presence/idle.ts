/**
 * "Abwesend" after a configurable idle time. The browser shell has no powerMonitor: the Idle
 * Detection API knows about the whole machine, but needs a permission the user grants with a
 * gesture, so until it is granted (and where it does not exist) keyboard/pointer activity on the
 * page and its visibility decide.
 */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

interface IdleDetectorLike {
  userState: 'active' | 'idle' | null;
  screenState: 'locked' | 'unlocked' | null;
  addEventListener(type: 'change', listener: () => void): void;
  start(options: { threshold: number; signal: AbortSignal }): Promise<void>;
}
interface IdleDetectorCtor {
  new (): IdleDetectorLike;
  requestPermission(): Promise<'granted' | 'denied'>;
}

export class IdleWatcher {
  private idle = false;
  private last = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private abort: AbortController | undefined;
  private detectorActive = false;
  private readonly onActivity = () => {
    this.last = Date.now();
    if (this.idle && !this.detectorActive) this.set(false);
  };

  /** `thresholdMs` 0 turns idle detection off. */
  constructor(
    private thresholdMs: number,
    private readonly onChange: (idle: boolean) => void,
  ) {}

  get isIdle(): boolean {
    return this.idle;
  }

  start(): void {
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, this.onActivity, { passive: true, capture: true });
    this.timer = setInterval(() => this.tick(), 1000);
    void this.tryDetector();
  }

  stop(): void {
    for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, this.onActivity, { capture: true });
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
    this.detectorActive = false;
  }

  setThreshold(ms: number): void {
    this.thresholdMs = ms;
    this.abort?.abort();
    this.detectorActive = false;
    this.last = Date.now();
    this.set(false);
    void this.tryDetector();
  }

  /** Call from a user gesture (the settings switch): asks for the Idle Detection permission. */
  async requestPermission(): Promise<boolean> {
    const ctor = (globalThis as unknown as { IdleDetector?: IdleDetectorCtor }).IdleDetector;
    if (!ctor) return false;
    const granted = (await ctor.requestPermission().catch(() => 'denied')) === 'granted';
    if (granted) await this.tryDetector();
    return granted;
  }

  private tick(): void {
    if (this.detectorActive || this.thresholdMs <= 0) return;
    if (!this.idle && Date.now() - this.last >= this.thresholdMs) this.set(true);
  }

  private async tryDetector(): Promise<void> {
    const ctor = (globalThis as unknown as { IdleDetector?: IdleDetectorCtor }).IdleDetector;
    // The API refuses thresholds under a minute; shorter settings stay with page activity.
    if (!ctor || this.thresholdMs < 60_000 || this.detectorActive) return;
    const permission = await navigator.permissions
      ?.query({ name: 'idle-detection' as PermissionName })
      .then((p) => p.state)
      .catch(() => 'denied');
    if (permission !== 'granted') return;
    try {
      const detector = new ctor();
      this.abort = new AbortController();
      detector.addEventListener('change', () => this.set(detector.userState === 'idle' || detector.screenState === 'locked'));
      await detector.start({ threshold: this.thresholdMs, signal: this.abort.signal });
      this.detectorActive = true;
    } catch {
      this.detectorActive = false;
    }
  }

  private set(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.onChange(idle);
  }
}
