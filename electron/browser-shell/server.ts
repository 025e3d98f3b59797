import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { InvokeRequest, SocketInvokeRequest } from '../../protocol/index.js';
import type { Core } from '../core/composition.js';
import { RENDERER_SECURITY_HEADERS } from '../core/hosting/csp.js';
import { readStaticFile } from '../core/hosting/static-files.js';
import { TOKEN_COOKIE, guardRequest, isAllowedHost } from './guard.js';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface BrowserShellOptions {
  core: Core;
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface BrowserShell {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The second host of the host API: the built renderer and `/api/invoke` (HTTP) plus `/api/events`
 * (WebSocket) on 127.0.0.1 only, behind a random per-launch token. The WebSocket carries events to the
 * page and, once open, the page's host-API calls too (`{id, method, input}` → `{reply: id, result}`):
 * a message on an open socket costs far less than a fetch, and SIP messages sent one after the other
 * reach the PBX in that order (parallel fetches on several connections need not).
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  const { core } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  const log = core.log.child('browser-shell');
  let port = 0;

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error('browser shell request failed', { reason: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = guardRequest(req, url, token, port);
    if (!verdict.ok) {
      log.warn('browser shell request refused', { path: url.pathname, status: verdict.status, reason: verdict.reason });
      return send(res, verdict.status, 'text/plain; charset=utf-8', verdict.status === 401 ? 'token required' : 'forbidden');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the address bar for an HttpOnly cookie, then drop it from the URL.
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(303, { Location: '/' });
      res.end();
      return;
    }
    if (url.pathname === '/api/invoke') return invoke(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    const file = await readStaticFile(options.rendererDir, url.pathname);
    if (!file) return send(res, 404, 'text/plain', 'not found');
    res.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-store', ...RENDERER_SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  async function invoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    if (!sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin request refused');
    const body = await readBody(req);
    if (body === undefined) {
      return sendJson(res, 413, {
        ok: false,
        error: { code: 'too_large', message: `request body over ${MAX_BODY_BYTES} bytes` },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendJson(res, 400, { ok: false, error: { code: 'validation', message: 'request body is not JSON' } });
    }
    const envelope = InvokeRequest.safeParse(parsed);
    if (!envelope.success) {
      return sendJson(res, 400, { ok: false, error: { code: 'validation', message: 'malformed host API request' } });
    }
    sendJson(res, 200, await core.dispatch(envelope.data.method, envelope.data.input, { origin: 'browser' }));
  }

  /** A host-API call over the socket: the same validation and dispatch as `/api/invoke`. */
  async function socketInvoke(ws: WebSocket, text: string | undefined): Promise<void> {
    let parsed: unknown;
    try {
      parsed = text === undefined ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const request = SocketInvokeRequest.safeParse(parsed);
    if (!request.success) {
      // Without a valid id there is nobody to answer; with one, the caller gets the error as data.
      const id = (parsed as { id?: unknown } | undefined)?.id;
      log.warn('browser shell socket message refused', { reason: 'malformed host API request' });
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)
        reply(ws, id, { ok: false, error: { code: 'validation', message: 'malformed host API request' } });
      return;
    }
    const { id, method, input } = request.data;
    reply(ws, id, await core.dispatch(method, input, { origin: 'browser' }));
  }

  function reply(ws: WebSocket, id: number, result: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ reply: id, result }));
  }

  function sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // non-browser clients (tests, curl) with the bearer token
    try {
      return isAllowedHost(new URL(origin).host, port);
    } catch {
      return false;
    }
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const unsubscribe = core.events.subscribe((event) => {
    const data = JSON.stringify(event);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(data);
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = guardRequest(req, url, token, port);
    if (!verdict.ok || url.pathname !== '/api/events' || !sameOrigin(req)) {
      log.warn('browser shell socket refused', { path: url.pathname });
      socket.end(`HTTP/1.1 ${verdict.ok ? 403 : verdict.status} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        void socketInvoke(ws, isBinary ? undefined : bytes.toString('utf8'));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  log.info('browser shell listening', { url: base });

  return {
    url: `${base}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(value));
}

/** The body as text, or undefined when it is over the limit (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
