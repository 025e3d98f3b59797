import { createReadStream } from 'node:fs';
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  BlobUploadState,
  SYNC_WIRE_HEADER,
  SYNC_WIRE_VERSION,
  SyncErrorBody,
  type BlobUploadStart,
} from '../../../protocol/index.js';
import { SyncRequestError, type SyncTlsProvider, type SyncUrlProvider } from '../sync/sync-client.js';

const TIMEOUT_MS = 60_000;

interface FileRange {
  file: string;
  start: number;
  length: number;
}

/**
 * The blob routes of the sync server over the same mutual-TLS identity as the record sync: upload
 * chunk by chunk, download as a stream. Failures are SyncRequestErrors (retryable or not).
 */
export class BlobHttpClient {
  private agent: Agent | undefined;
  private agentKey: string | undefined;

  constructor(
    private readonly serverUrl: SyncUrlProvider,
    private readonly tls: SyncTlsProvider,
  ) {}

  start(body: BlobUploadStart): Promise<BlobUploadState> {
    return this.json('POST', '/blobs/uploads', JSON.stringify(body), 'application/json');
  }

  putChunk(sha256: string, offset: number, chunk: Buffer): Promise<BlobUploadState> {
    return this.json('PUT', `/blobs/uploads/${sha256}?offset=${offset}`, chunk, 'application/octet-stream');
  }

  /** `length` bytes of `file` from `offset` as one chunk, streamed from the disk (never whole in memory). */
  putFileChunk(sha256: string, offset: number, file: string, length: number): Promise<BlobUploadState> {
    const body: FileRange = { file, start: offset, length };
    return this.json('PUT', `/blobs/uploads/${sha256}?offset=${offset}`, body, 'application/octet-stream');
  }

  finish(sha256: string): Promise<BlobUploadState> {
    return this.json('POST', `/blobs/uploads/${sha256}/finish`, '{}', 'application/json');
  }

  /** The blob's bytes as a stream (status 200 only); refusals reject with the server's code. */
  download(sha256: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.request('GET', `/blobs/${sha256}`, undefined, (res) => {
        if (res.statusCode === 200) return resolve(res);
        void readAll(res).then((text) => reject(refusal(res.statusCode ?? 0, text)), reject);
      });
      req.on('error', (error) => reject(new SyncRequestError('network', error.message)));
      req.end();
    });
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private json(method: string, path: string, body: string | Buffer | FileRange, type: string): Promise<BlobUploadState> {
    return new Promise((resolve, reject) => {
      const length = typeof body === 'object' && 'file' in body ? body.length : Buffer.byteLength(body);
      const req = this.request(method, path, { type, length }, (res) => {
        readAll(res).then((text) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(refusal(status, text));
          const parsed = BlobUploadState.safeParse(safeJson(text));
          if (parsed.success) resolve(parsed.data);
          else reject(new SyncRequestError('bad_response', `unexpected answer from ${path}`, 502));
        }, reject);
      });
      req.on('error', (error) => reject(new SyncRequestError('network', error.message)));
      if (typeof body === 'object' && 'file' in body) {
        // The server may answer before the whole body is sent (a refusal): that answer wins.
        const source = createReadStream(body.file, {
          start: body.start,
          end: body.start + body.length - 1,
          highWaterMark: 256 * 1024,
        });
        pipeline(source, req).catch((error: Error) => reject(new SyncRequestError('network', error.message)));
      } else {
        req.end(body);
      }
    });
  }

  private request(
    method: string,
    path: string,
    body: { type: string; length: number } | undefined,
    onResponse: (res: IncomingMessage) => void,
  ) {
    const base = typeof this.serverUrl === 'string' ? this.serverUrl : this.serverUrl();
    const tls = this.tls();
    if (!base || !tls) throw new SyncRequestError('no_identity', 'no sync server or client certificate is configured');
    // The server URL may change (a restart on another port, a new identity): one agent per pair.
    const key = 'pfx' in tls ? Buffer.from(tls.pfx).toString('base64') : `${String(tls.key)}${String(tls.cert)}${String(tls.ca)}`;
    if (!this.agent || this.agentKey !== key) {
      this.agent?.destroy();
      this.agent = new Agent({ ...('pfx' in tls ? { ...tls, pfx: Buffer.from(tls.pfx) } : tls), keepAlive: true, maxSockets: 2 });
      this.agentKey = key;
    }
    const req = request(
      new URL(path, base),
      {
        method,
        agent: this.agent,
        timeout: TIMEOUT_MS,
        headers: {
          [SYNC_WIRE_HEADER]: String(SYNC_WIRE_VERSION),
          ...(body ? { 'content-type': body.type, 'content-length': body.length } : {}),
        },
      },
      onResponse,
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    return req;
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (error) => reject(new SyncRequestError('network', error.message)));
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function refusal(status: number, text: string): SyncRequestError {
  const body = SyncErrorBody.safeParse(safeJson(text));
  return body.success
    ? new SyncRequestError(body.data.error.code, body.data.error.message, status, body.data.error.item)
    : new SyncRequestError('http_error', `server answered ${status}`, status);
}
