import { Agent, request } from 'node:https';
import type { z } from 'zod';
import WebSocket from 'ws';
import {
  DirectoryMe,
  PullResponse,
  type PulledChange,
  PushResponse,
  SyncErrorBody,
  SYNC_WIRE_HEADER,
  SYNC_WIRE_VERSION,
  WIRE_VERSION_CODE,
  type WireVersionRange,
  encodePush,
  decodePulled,
  getGrouped,
  type Change,
  type PushResult,
} from '../../../protocol/index.js';
import { REPORT_PATH, type ReportQuery } from '../../../protocol/billing-report.js';
import type { ServerClock } from './server-clock.js';

/** What the identity service hands over: a PKCS#12 bundle, or PEM key + certificate. */
export type SyncTls =
  | { pfx: Buffer | Uint8Array; passphrase?: string; ca?: string | Buffer }
  | { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
export type SyncTlsProvider = () => SyncTls | undefined;
/** A fixed URL, or read at every request (the identity bundle names the server and may arrive later). */
export type SyncUrlProvider = string | (() => string | undefined);

/** A failed sync request; `retryable` says whether waiting and trying again can help. */
export class SyncRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    /** The offending part of a push, `tenant[/table[/id[/field]]]`. */
    readonly item?: string,
    /** With `unsupported_wire_version`: the wire versions the server accepts. */
    readonly supported?: WireVersionRange,
    /** With `version_in_future`: the server's clock when it refused. */
    readonly serverTime?: number,
  ) {
    super(message);
    this.name = 'SyncRequestError';
  }

  /** The server does not speak our wire version: only an update (app or server) helps. */
  get wireRefusal(): boolean {
    return this.code === WIRE_VERSION_CODE;
  }

  get retryable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

const TIMEOUT_MS = 30_000;

type TlsPart = string | Buffer | Uint8Array | undefined;
const samePart = (a: TlsPart, b: TlsPart): boolean =>
  typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined
    ? a === b
    : Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function sameTls(a: SyncTls, b: SyncTls): boolean {
  if (a === b) return true;
  if ('pfx' in a !== 'pfx' in b) return false;
  if ('pfx' in a && 'pfx' in b) return a.passphrase === b.passphrase && samePart(a.pfx, b.pfx) && samePart(a.ca, b.ca);
  const [x, y] = [a as Extract<SyncTls, { key: unknown }>, b as Extract<SyncTls, { key: unknown }>];
  return samePart(x.key, y.key) && samePart(x.cert, y.cert) && samePart(x.ca, y.ca);
}

/**
 * The server's time in an answer: the `time` of a push or pull answer or the `serverTime` of an
 * error (to the ms), else the HTTP `Date` header (whole seconds).
 */
function serverTimeOf(json: unknown, date: string | undefined): { ms: number; resolution: number } | undefined {
  const body = typeof json === 'object' && json !== null ? (json as { time?: unknown; error?: { serverTime?: unknown } }) : {};
  const exact = typeof body.time === 'number' ? body.time : body.error?.serverTime;
  if (typeof exact === 'number' && Number.isFinite(exact)) return { ms: exact, resolution: 0 };
  const header = date === undefined ? NaN : Date.parse(date);
  return Number.isFinite(header) ? { ms: header, resolution: 1000 } : undefined;
}

/** The wire version this client declares; tests pose as older or newer builds with a different one. */
export type WireVersionProvider = () => number | undefined;

/** HTTPS + WebSocket to the sync server with the client certificate; every answer is validated. */
export class SyncHttpClient {
  private agent: Agent | undefined;
  private agentFor: SyncTls | undefined;

  constructor(
    private readonly serverUrl: SyncUrlProvider,
    private readonly tls: SyncTlsProvider,
    private readonly wireVersion: WireVersionProvider = () => SYNC_WIRE_VERSION,
    /** Learns the server's time from every answer. */
    private readonly clock?: ServerClock,
  ) {}

  /** Every request declares the wire form it speaks (docs/sync-protocol.md, "Versioning"). */
  private versionHeader(): Record<string, string> {
    const version = this.wireVersion();
    return version === undefined ? {} : { [SYNC_WIRE_HEADER]: String(version) };
  }

  /** The version this client declares (1 when it sends none, as the server reads it). */
  declaredVersion(): number {
    return this.wireVersion() ?? 1;
  }

  hasIdentity(): boolean {
    return this.tls() !== undefined && this.baseUrl() !== undefined;
  }

  private baseUrl(): string | undefined {
    return typeof this.serverUrl === 'string' ? this.serverUrl : this.serverUrl();
  }

  private url(path: string): URL {
    const base = this.baseUrl();
    if (!base) throw new SyncRequestError('no_identity', 'no sync server is configured');
    return new URL(path, base);
  }

  /** Pushes changes (at most one per field) and answers, in their order, what became of each. */
  async push(changes: Change[]): Promise<{ results: PushResult[]; cursor: string }> {
    const answer = await this.call('POST', '/sync/push', PushResponse, JSON.stringify(encodePush(changes)));
    const results = changes.map((c) => getGrouped(answer.results, c));
    const missing = results.findIndex((r) => r === undefined);
    if (missing >= 0) {
      const c = changes[missing]!;
      throw new SyncRequestError('bad_response', `push answered nothing for ${c.table} ${c.id} ${c.field}`, 502);
    }
    return { results: results as PushResult[], cursor: answer.cursor };
  }

  /** One page of changes after `after`, flattened; a malformed entry fails the whole page. */
  async pull(after: string, limit: number): Promise<{ changes: PulledChange[]; cursor: string; more: boolean }> {
    const page = await this.call('GET', `/sync/pull?after=${encodeURIComponent(after)}&limit=${limit}`, PullResponse);
    let changes: PulledChange[];
    try {
      changes = decodePulled(page.changes);
    } catch (error) {
      throw new SyncRequestError('bad_response', (error as Error).message.slice(0, 200), 502);
    }
    return { changes, cursor: page.cursor, more: page.more };
  }

  me(): Promise<DirectoryMe> {
    return this.call('GET', '/directory/me', DirectoryMe);
  }

  /** A firm's monthly report file (docs/billing.md); refusals arrive as SyncRequestError with the server's code. */
  async report(query: ReportQuery): Promise<{ body: Buffer; fileName: string; contentType: string; frozen: boolean }> {
    const params = new URLSearchParams(query);
    const res = await this.fetchBytes(`${REPORT_PATH}?${params.toString()}`);
    const fileName = /filename="([^"]+)"/.exec(String(res.headers['content-disposition'] ?? ''))?.[1];
    const contentType = String(res.headers['content-type'] ?? '');
    if (!fileName) throw new SyncRequestError('bad_response', 'the report came without a file name', 502);
    return { body: res.body, fileName, contentType, frozen: res.headers['x-report-frozen'] === '1' };
  }

  /** A GET whose answer is a file, not JSON; an error answer is still the server's JSON refusal. */
  private fetchBytes(path: string): Promise<{ body: Buffer; headers: Record<string, string | string[] | undefined> }> {
    const agent = this.currentAgent();
    const url = this.url(path);
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', agent, timeout: TIMEOUT_MS, headers: this.versionHeader() }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new SyncRequestError('network', error.message)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if (status >= 200 && status < 300) return resolve({ body, headers: res.headers });
          let json: unknown;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch {
            json = undefined;
          }
          const error = SyncErrorBody.safeParse(json);
          reject(
            error.success
              ? new SyncRequestError(error.data.error.code, error.data.error.message, status)
              : new SyncRequestError('http_error', `server answered ${status}`, status),
          );
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', (error) => reject(new SyncRequestError('network', error.message)));
      req.end();
    });
  }

  /** The live socket over the same mTLS identity. */
  openLive(): WebSocket {
    const url = this.url('/sync/live');
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    return new WebSocket(url, {
      agent: this.currentAgent(),
      handshakeTimeout: 10_000,
      maxPayload: 64 * 1024,
      headers: this.versionHeader(),
    });
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.agentFor = undefined;
  }

  private currentAgent(): Agent {
    const tls = this.tls();
    if (!tls) throw new SyncRequestError('no_identity', 'no client certificate is available');
    // A renewed certificate: drop pooled connections made with the old one. Compared by content, not
    // identity — a provider that builds its answer anew each time must not cost a handshake per request.
    if (!this.agent || !this.agentFor || !sameTls(tls, this.agentFor)) {
      this.agent?.destroy();
      this.agent = new Agent({ ...('pfx' in tls ? { ...tls, pfx: Buffer.from(tls.pfx) } : tls), keepAlive: true, maxSockets: 4 });
      this.agentFor = tls;
    }
    return this.agent;
  }

  private call<T extends z.ZodType>(method: string, path: string, schema: T, body?: string): Promise<z.output<T>> {
    const agent = this.currentAgent();
    const url = this.url(path);
    const sentAt = this.clock?.localNow();
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          timeout: TIMEOUT_MS,
          headers: {
            ...this.versionHeader(),
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(new SyncRequestError('network', error.message)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let json: unknown;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              json = undefined;
            }
            if (this.clock && sentAt !== undefined) {
              const time = serverTimeOf(json, res.headers.date);
              if (time) this.clock.observe(sentAt, this.clock.localNow(), time.ms, time.resolution);
            }
            if (json === undefined) {
              return reject(new SyncRequestError('bad_response', `server answered ${status} without JSON`, status));
            }
            if (status >= 200 && status < 300) {
              const parsed = schema.safeParse(json);
              if (parsed.success) resolve(parsed.data);
              else
                reject(
                  new SyncRequestError(
                    'bad_response',
                    `unexpected answer from ${path}: ${parsed.error.message.slice(0, 200)}`,
                    502,
                  ),
                );
              return;
            }
            const error = SyncErrorBody.safeParse(json);
            reject(
              error.success
                ? new SyncRequestError(
                    error.data.error.code,
                    error.data.error.message,
                    status,
                    error.data.error.item,
                    error.data.error.supported,
                    error.data.error.serverTime,
                  )
                : new SyncRequestError('http_error', `server answered ${status}`, status),
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', (error) => reject(new SyncRequestError('network', error.message)));
      req.end(body);
    });
  }
}
