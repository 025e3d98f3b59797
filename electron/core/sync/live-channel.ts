import type WebSocket from 'ws';
import { LiveMessage } from '../../../protocol/index.js';
import { backoffDelay, type Backoff } from '../../../protocol/backoff.js';

interface ChannelLog {
  warn(message: string, context?: Record<string, unknown>): void;
}

/** What the sync engine hears from the live channel. */
export interface LiveChannelEvents {
  /** The socket is open: whatever happened while it was away is caught up by a pull. */
  opened(): void;
  /** The server announced a change up to `cursor`. */
  announced(cursor: string): void;
  /** A document's bytes are stored on the server now. */
  blobStored?(sha256: string): void;
  /** The socket went away without being asked to; `wasOpen` when it had been open. */
  lost(wasOpen: boolean): void;
}

export interface LiveChannelOptions {
  /** Opens the socket with the current identity; throws when that is impossible right now. */
  open(): WebSocket;
  /** Whether an identity exists at all; without one the channel waits and tries again. */
  canOpen(): boolean;
  backoff: Backoff;
  random: () => number;
  log: ChannelLog;
  events: LiveChannelEvents;
}

/**
 * The live WebSocket to the sync server: it only tells the engine that something changed, so the
 * engine pulls at once instead of at its next cycle. It reconnects on its own with backoff until it is
 * closed; `connect` after `close` starts it again.
 */
export class LiveChannel {
  private socket: WebSocket | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Errors of one outage are logged once; the streak ends when a socket opens. */
  private errorLogged = false;

  constructor(private readonly options: LiveChannelOptions) {}

  /** Whether a socket exists (open or opening). */
  get active(): boolean {
    return this.socket !== undefined;
  }

  connect(immediately = false): void {
    clearTimeout(this.timer);
    this.closed = false;
    if (this.socket) return;
    if (!this.options.canOpen()) {
      if (!immediately) this.scheduleRetry();
      return;
    }
    let socket: WebSocket;
    try {
      socket = this.options.open();
    } catch (error) {
      this.logError(error);
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    let wasOpen = false;
    socket.on('open', () => {
      wasOpen = true;
      this.failures = 0;
      this.errorLogged = false;
      this.options.events.opened();
    });
    socket.on('message', (data: Buffer) => {
      const parsed = LiveMessage.safeParse(safeJson(data.toString()));
      if (!parsed.success) return;
      if (parsed.data.type === 'changes') this.options.events.announced(parsed.data.cursor);
      else this.options.events.blobStored?.(parsed.data.sha256);
    });
    socket.on('error', (error) => this.logError(error));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.closed) return;
      this.options.events.lost(wasOpen);
      this.scheduleRetry();
    });
  }

  /** Closes the socket and stops reconnecting. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.terminate();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.failures++;
    this.timer = setTimeout(() => this.connect(), backoffDelay(this.failures, this.options.backoff, this.options.random));
    this.timer.unref();
  }

  private logError(error: unknown): void {
    if (this.errorLogged) return;
    this.errorLogged = true;
    this.options.log.warn('live sync connection failed; retrying with backoff', {
      reason: error instanceof Error ? error.message : String(error),
      failures: this.failures,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
