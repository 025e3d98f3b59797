import WebSocket from 'ws';
import { backoffDelay } from '../../../protocol/backoff.js';
import { HostError, MAX_SIP_MESSAGE, type PbxErrorCode, type PbxState } from '../../../protocol/index.js';
import type { Logger } from '../log/logger.js';
import { classifyConnectError, isPermanent } from './tls-errors.js';

/** The client identity for TLS, as the identity service hands it out (never to the renderer). */
export interface ClientTls {
  pfx: Buffer;
  passphrase: string;
  /** The office service's CA: the PBX's certificate must chain to it. */
  ca: string | Buffer;
}

/** Where and as whom to connect; `undefined` while no identity is imported. */
export interface PbxEndpoint {
  url: string;
  tls: ClientTls;
}

export interface PbxConnectionOptions {
  endpoint: () => PbxEndpoint | undefined;
  /** Why `endpoint()` gave nothing: an identity that expired after import is not "no identity". */
  whyNoEndpoint?: () => 'no_identity' | 'certificate_expired';
  log: Logger;
  /** First reconnect delay; doubles per attempt up to maxDelayMs, each with ±30 % jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  pingIntervalMs?: number;
  /** No pong within this time after a ping: the connection is dead even if TCP has not noticed. */
  pongTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  random?: () => number;
}

type Listener<T> = (value: T) => void;

/**
 * The one WSS connection from this profile to the PBX, opened with the client certificate. SIP.js in
 * the renderer sends and receives whole SIP messages through it. Reconnects with backoff and jitter
 * after a loss; stops on refusals that retrying cannot fix (revoked, expired, unknown CA, …).
 */
export class PbxConnection {
  private socket: WebSocket | undefined;
  private current: PbxState = { state: 'disconnected', attempt: 0, connections: 0 };
  /** True between connect() and disconnect(): the user wants to be online. */
  private wanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly messageListeners = new Set<Listener<string>>();
  private readonly stateListeners = new Set<Listener<PbxState>>();
  private readonly opts: Required<Omit<PbxConnectionOptions, 'endpoint' | 'log' | 'whyNoEndpoint'>>;

  constructor(private readonly options: PbxConnectionOptions) {
    this.opts = {
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      random: options.random ?? Math.random,
    };
  }

  get state(): PbxState {
    return { ...this.current };
  }

  onMessage(listener: Listener<string>): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: Listener<PbxState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Idempotent: while a socket is open or opening, no second one is made. */
  connect(): PbxState {
    this.wanted = true;
    if (this.socket || this.retryTimer) return this.state;
    this.current.attempt = 0;
    this.open();
    return this.state;
  }

  disconnect(): void {
    this.wanted = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.close(1000);
      // A peer that never answers the close frame must not keep the socket around.
      setTimeout(() => socket.terminate(), 2000).unref();
    }
    this.setState({ state: 'disconnected', attempt: 0, connections: this.current.connections });
  }

  send(message: string): void {
    if (Buffer.byteLength(message) > MAX_SIP_MESSAGE)
      throw new HostError('too_large', `SIP message over ${MAX_SIP_MESSAGE} bytes`);
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.current.state !== 'connected') {
      throw new HostError('unavailable', 'not connected to the PBX');
    }
    socket.send(message);
  }

  private open(): void {
    const endpoint = this.options.endpoint();
    if (!endpoint) {
      if (this.options.whyNoEndpoint?.() === 'certificate_expired') {
        this.fail('certificate_expired', 'The imported certificate has expired, so no login is attempted');
      } else {
        this.fail('no_identity', 'No identity is set up, so there is no certificate to connect to the PBX with');
      }
      return;
    }
    this.setState({ ...this.current, state: 'connecting', retryInMs: undefined });
    this.options.log.info('connecting to the PBX', { url: endpoint.url, attempt: this.current.attempt });
    let socket: WebSocket;
    try {
      socket = new WebSocket(endpoint.url, 'sip', {
        pfx: endpoint.tls.pfx,
        passphrase: endpoint.tls.passphrase,
        ca: endpoint.tls.ca,
        handshakeTimeout: this.opts.handshakeTimeoutMs,
        maxPayload: MAX_SIP_MESSAGE,
        perMessageDeflate: false,
      });
    } catch (error) {
      this.lost(classifyConnectError(error));
      return;
    }
    this.socket = socket;
    let failure: { code: PbxErrorCode; message: string } | undefined;
    socket.on('open', () => {
      if (socket.protocol !== 'sip') {
        failure = { code: 'handshake_failed', message: 'The PBX did not accept the WebSocket subprotocol "sip"' };
        socket.terminate();
        return;
      }
      this.options.log.info('connected to the PBX', { url: endpoint.url });
      this.setState({ state: 'connected', attempt: 0, connections: this.current.connections + 1 });
      this.startPings(socket);
    });
    socket.on('message', (data) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const text = bytes.toString('utf8');
      for (const listener of [...this.messageListeners]) {
        try {
          listener(text);
        } catch (error) {
          this.options.log.error('PBX message listener failed', { error: String(error) });
        }
      }
    });
    socket.on('pong', () => clearTimeout(this.pongTimer));
    socket.on('unexpected-response', (_request, response) => {
      failure = { code: 'handshake_failed', message: `The PBX refused the WebSocket upgrade with HTTP ${response.statusCode}` };
      socket.terminate();
    });
    socket.on('error', (error) => {
      failure ??= classifyConnectError(error);
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.stopPings();
      const wasConnected = this.current.state === 'connected';
      const result =
        failure ??
        (wasConnected
          ? {
              code: 'connection_lost' as const,
              message: `The PBX closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})`,
            }
          : { code: 'handshake_failed' as const, message: `The connection to the PBX closed during setup (${code})` });
      this.lost(result);
    });
  }

  private lost(error: { code: PbxErrorCode; message: string }): void {
    this.options.log.warn('PBX connection failed', { code: error.code, reason: error.message });
    if (!this.wanted) return;
    if (isPermanent(error.code)) {
      this.fail(error.code, error.message);
      return;
    }
    const attempt = this.current.attempt + 1;
    const delay = backoffDelay(
      attempt,
      { baseMs: this.opts.baseDelayMs, maxMs: this.opts.maxDelayMs, jitter: [0.7, 1.3] },
      this.opts.random,
    );
    this.setState({ state: 'connecting', attempt, retryInMs: delay, error, connections: this.current.connections });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted) this.open();
    }, delay);
  }

  private fail(code: PbxErrorCode, message: string): void {
    this.options.log.warn('PBX connection given up', { code, reason: message });
    this.wanted = false;
    this.setState({
      state: 'failed',
      attempt: this.current.attempt,
      error: { code, message },
      connections: this.current.connections,
    });
  }

  private startPings(socket: WebSocket): void {
    this.stopPings();
    this.pingTimer = setInterval(() => {
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        this.options.log.warn('no pong from the PBX; dropping the connection');
        socket.terminate();
      }, this.opts.pongTimeoutMs);
      socket.ping();
    }, this.opts.pingIntervalMs);
  }

  private stopPings(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  private clearTimers(): void {
    this.stopPings();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private setState(next: PbxState): void {
    const clean: PbxState = { state: next.state, attempt: next.attempt, connections: next.connections };
    if (next.error) clean.error = next.error;
    if (next.retryInMs !== undefined) clean.retryInMs = next.retryInMs;
    this.current = clean;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(this.state);
      } catch (error) {
        this.options.log.error('PBX state listener failed', { error: String(error) });
      }
    }
  }

  /** For shutdown: closes without emitting further reconnects. */
  close(): void {
    this.disconnect();
    this.messageListeners.clear();
    this.stateListeners.clear();
  }
}
