/**
 * SIP.js Transport over the host API: the main process holds the WSS connection to the PBX and the
 * client certificate; this transport only hands whole SIP messages across (`pbx.send`, `pbx.message`)
 * and mirrors the connection's state. Use it as `transportConstructor` in SIP.js UserAgentOptions.
 *
 * Reconnecting the socket is the main process's job (backoff + jitter); when it drops, this transport
 * goes Disconnected with an error, as SIP.js's own WebSocket transport does, and the phone engine
 * calls `userAgent.reconnect()` / re-registers.
 */
import { EmitterImpl, TransportState, type Core, type Emitter, type Transport } from 'sip.js';
import { HostError, type PbxErrorCode, type PbxState } from '../../../../protocol/index.js';
import { checkTransition } from './state-machine.js';

/** The host API surface this transport needs (`hostPbx` in the app, an in-memory PBX in the Node tests). */
export interface PbxHost {
  connect(): Promise<PbxState>;
  state(): Promise<PbxState>;
  send(message: string): Promise<void>;
  disconnect(): Promise<void>;
  onMessage(listener: (message: string) => void): () => void;
  onState(listener: (state: PbxState) => void): () => void;
}

export interface BridgedTransportOptions {
  host: PbxHost;
  /** connect() rejects if the PBX is not reached within this time; the main process keeps trying. */
  connectionTimeoutMs?: number;
}

/** A connect failure or a loss of the connection, with the code the UI turns into German text. */
export class PbxTransportError extends Error {
  constructor(
    readonly code: PbxErrorCode | 'timeout' | 'host',
    message: string,
  ) {
    super(message);
    this.name = 'PbxTransportError';
  }
}

/**
 * The transport's states and the only ways between them, as SIP.js's Transport documents them
 * (and its own transports enforce):
 *
 * ```
 * Disconnected  --> Connecting                          connect()
 * Connecting    --> Connected | Disconnecting | Disconnected
 * Connected     --> Disconnecting | Disconnected        disconnect(), or the PBX connection lost
 * Disconnecting --> Connecting | Disconnected
 * ```
 */
export const transportTransitions: Record<TransportState, readonly TransportState[]> = {
  [TransportState.Disconnected]: [TransportState.Connecting],
  [TransportState.Connecting]: [TransportState.Connected, TransportState.Disconnecting, TransportState.Disconnected],
  [TransportState.Connected]: [TransportState.Disconnecting, TransportState.Disconnected],
  [TransportState.Disconnecting]: [TransportState.Connecting, TransportState.Disconnected],
};

export class BridgedTransport implements Transport {
  readonly protocol = 'WSS';
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  private _state: TransportState = TransportState.Disconnected;
  private readonly emitter = new EmitterImpl<TransportState>();
  private readonly host: PbxHost;
  private readonly timeoutMs: number;
  private readonly unsubscribe: Array<() => void>;
  private pending:
    | {
        resolve: () => void;
        reject: (error: Error) => void;
        timer: ReturnType<typeof setTimeout>;
        poll: ReturnType<typeof setInterval>;
      }
    | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly logger: Core.Logger,
    options: BridgedTransportOptions,
  ) {
    this.host = options.host;
    this.timeoutMs = options.connectionTimeoutMs ?? 10_000;
    this.unsubscribe = [
      this.host.onMessage((message) => this.received(message)),
      this.host.onState((state) => this.hostState(state)),
    ];
  }

  get state(): TransportState {
    return this._state;
  }

  get stateChange(): Emitter<TransportState> {
    return this.emitter;
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  connect(): Promise<void> {
    if (this._state === TransportState.Connected) return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.transition(TransportState.Connecting);
    this.connecting = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(new PbxTransportError('timeout', `PBX not connected within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      // The state event may pass before the host's event channel is open (browser shell): ask as well.
      const poll = setInterval(() => {
        this.host.state().then(
          (state) => this.replyState(state),
          () => undefined,
        );
      }, 500);
      this.pending = { resolve, reject, timer, poll };
    });
    const result = this.connecting;
    this.host.connect().then(
      (state) => this.replyState(state),
      (error: unknown) => this.settle(new PbxTransportError('host', error instanceof Error ? error.message : String(error))),
    );
    return result;
  }

  async disconnect(): Promise<void> {
    if (this._state === TransportState.Disconnected) return;
    if (this._state === TransportState.Connecting)
      this.settle(new PbxTransportError('connection_lost', 'disconnected while connecting'));
    if (this._state === TransportState.Connected) this.transition(TransportState.Disconnecting);
    try {
      await this.host.disconnect();
    } finally {
      // settle() above may already have moved the state on.
      if ((this._state as TransportState) !== TransportState.Disconnected) this.transition(TransportState.Disconnected);
    }
  }

  async dispose(): Promise<void> {
    await this.disconnect().catch(() => undefined);
    for (const stop of this.unsubscribe) stop();
    this.emitter.removeAllListeners();
  }

  async send(message: string): Promise<void> {
    if (this._state !== TransportState.Connected) throw new Error('Not connected.');
    try {
      await this.host.send(message);
    } catch (error) {
      // A message the host refused (too large, not connected) fails the request, never the transport.
      throw error instanceof HostError ? new PbxTransportError('host', error.message) : error;
    }
  }

  private received(message: string): void {
    // CRLF keep-alive answers carry no SIP message.
    if (/^(\r\n)+$/.test(message)) return;
    if (this._state !== TransportState.Connected) {
      this.logger.warn('SIP message while not connected, discarded');
      return;
    }
    this.onMessage?.(message);
  }

  /**
   * A reply may be older than the last state event: it may finish a pending connect, never tear
   * down a connection that an event has since reported.
   */
  private replyState(state: PbxState): void {
    if (this._state === TransportState.Connecting) this.hostState(state);
  }

  private hostState(state: PbxState): void {
    if (state.state === 'connected') {
      if (this._state === TransportState.Connecting) this.settle();
      return;
    }
    if (this._state === TransportState.Connecting && state.state === 'failed') {
      this.settle(new PbxTransportError(state.error?.code ?? 'handshake_failed', state.error?.message ?? 'connection failed'));
      return;
    }
    if (this._state === TransportState.Connected) {
      const error = new PbxTransportError(
        state.error?.code ?? 'connection_lost',
        state.error?.message ?? 'connection to the PBX lost',
      );
      this.logger.warn(`PBX connection lost: ${error.code}`);
      this.transition(TransportState.Disconnected, error);
    }
  }

  /** Ends a pending connect(): resolved without an error, rejected with one. */
  private settle(error?: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.connecting = undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    clearInterval(pending.poll);
    if (error) {
      if (this._state === TransportState.Connecting) this.transition(TransportState.Disconnected, error, false);
      pending.reject(error);
    } else {
      this.transition(TransportState.Connected);
      pending.resolve();
    }
  }

  /** The one place the state changes; a change the table above does not allow throws. */
  private transition(next: TransportState, error?: Error, notify = true): void {
    if (next === this._state) return;
    checkTransition(transportTransitions, 'transport', this._state, next);
    const previous = this._state;
    this._state = next;
    this.logger.log(`transport ${previous} -> ${next}`);
    this.emitter.emit(next);
    if (next === TransportState.Connected) this.onConnect?.();
    // SIP.js's own transport reports a failed connect only through the rejected promise.
    if (next === TransportState.Disconnected && previous !== TransportState.Connecting && notify) this.onDisconnect?.(error);
  }
}
