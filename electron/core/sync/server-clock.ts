import { CLOCK_WARN_MS } from '../../../protocol/sync-status.js';

interface ClockLog {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

/** One answer: the offsets (server minus local) it allows, and when it arrived (local clock). */
interface Sample {
  lo: number;
  hi: number;
  at: number;
}

/** Answers kept for the estimate; older ones have drifted (and a window bounds the work). */
const WINDOW = 8;
const MAX_AGE_MS = 15 * 60 * 1000;
/** Intervals that miss each other by less than this are server jitter (processes behind a balancer), not a step. */
const TOLERANCE_MS = 250;
/** The log notes a change of the estimate this large (a step of either clock). */
const LOG_STEP_MS = 60 * 1000;

export interface ServerClockOptions {
  /** This computer's clock (default Date.now); tests set it off by days. */
  localNow?: () => number;
  log?: ClockLog;
}

/**
 * The server's clock as seen from this computer: local time plus an offset measured on every sync
 * answer. An answer stamped `S` by the server, sent at local `t0` and received at `t1`, proves the
 * offset lies in [S − t1, S − t0]; the estimate is the middle of the intersection of the last few
 * such intervals. A slow answer has a wide interval that contains the truth as well, so it cannot
 * pull the estimate away; intervals that no longer meet mean one of the clocks was set (the user
 * fixed the date), and the estimate starts over from the newest answer. Offline the last estimate
 * stays. Versions, call times and history are stamped with `now()`.
 */
export class ServerClock {
  readonly localNow: () => number;
  private samples: Sample[] = [];
  private estimate: number | null = null;
  private logged: number;
  private readonly log: ClockLog | undefined;
  private readonly listeners = new Set<(offset: number) => void>();

  constructor(options: ServerClockOptions = {}) {
    this.localNow = options.localNow ?? Date.now;
    this.log = options.log;
    this.logged = 0;
  }

  /** An estimate from elsewhere (an earlier run), taken only while no answer has been measured. */
  assume(offset: number): void {
    if (this.estimate !== null || !Number.isFinite(offset)) return;
    this.estimate = Math.round(offset);
    this.report(this.estimate, Number.NaN);
  }

  /** Server time now, as far as this computer can tell. */
  now(): number {
    return this.localNow() + (this.estimate ?? 0);
  }

  /** Server minus local clock in ms, or null before any answer (and without an earlier run's). */
  offset(): number | null {
    return this.estimate;
  }

  /** Called with the new offset whenever the estimate moves by a second or more. */
  onChange(listener: (offset: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Folds in one answer: sent at local `sentAt`, received at `receivedAt`, stamped `serverTime` by
   * the server to within `resolutionMs` (1000 for an HTTP Date header, which has whole seconds).
   */
  observe(sentAt: number, receivedAt: number, serverTime: number, resolutionMs = 0): void {
    if (![sentAt, receivedAt, serverTime].every(Number.isFinite) || receivedAt < sentAt) return;
    const sample = { lo: serverTime - receivedAt, hi: serverTime + resolutionMs - sentAt, at: receivedAt };
    let kept = [...this.samples.filter((s) => s.at <= receivedAt && receivedAt - s.at <= MAX_AGE_MS), sample].slice(-WINDOW);
    let lo = Math.max(...kept.map((s) => s.lo));
    let hi = Math.min(...kept.map((s) => s.hi));
    if (lo > hi + TOLERANCE_MS) {
      kept = [sample];
      ({ lo, hi } = sample);
    }
    this.samples = kept;
    const previous = this.estimate;
    const next = Math.round((lo + hi) / 2);
    this.estimate = next;
    if (previous !== null && Math.abs(next - previous) < 1000) return;
    this.report(next, hi - lo);
    for (const listener of [...this.listeners]) listener(next);
  }

  private report(offset: number, uncertainty: number): void {
    const wasOff = Math.abs(this.logged) > CLOCK_WARN_MS;
    const isOff = Math.abs(offset) > CLOCK_WARN_MS;
    if (!isOff && !wasOff) return;
    if (isOff && wasOff && Math.abs(offset - this.logged) < LOG_STEP_MS) return;
    this.logged = offset;
    const figures = {
      offsetMs: offset,
      uncertaintyMs: uncertainty,
      localTime: new Date(this.localNow()).toISOString(),
      serverTime: new Date(this.now()).toISOString(),
    };
    if (isOff)
      this.log?.warn(
        `this computer's clock is ${offset < 0 ? 'ahead of' : 'behind'} the sync server's; using the server's time`,
        figures,
      );
    else this.log?.info("this computer's clock agrees with the sync server's again", figures);
  }
}
