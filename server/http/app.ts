import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import { MAX_PUSH_BYTES, SYNC_WIRE_HEADER, SYNC_WIRE_SUPPORTED, type WireVersionRange } from '../../protocol/index.js';
import type { AccessControl, Caller } from '../auth/access.js';
import { registerReportRoutes } from '../billing/report-routes.js';
import type { ReportService } from '../billing/report-service.js';
import { registerBlobRoutes } from '../blobs/blob-routes.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Database } from '../db/database.js';
import { isStorageFull, isUnavailable } from '../db/database.js';
import { SyncHttpError, checkWireVersion } from '../sync/errors.js';
import type { LiveHub } from '../sync/live-hub.js';
import type { SyncService } from '../sync/sync-service.js';
import { strictUtf8Json } from './json-body.js';

/** Both listeners, at start and whenever a new CRL or server certificate replaces their TLS context. */
export const TLS_MIN_VERSION = 'TLSv1.2';

type Log = (message: string, fields?: Record<string, unknown>) => void;

export interface TlsMaterial {
  key: string;
  cert: string;
  ca: string;
  crl?: string;
}

export interface AppDeps {
  tls: TlsMaterial;
  access: AccessControl;
  sync: SyncService;
  hub: LiveHub;
  cursor: () => Promise<string>;
  log: Log;
  /** Sync wire versions accepted; default SYNC_WIRE_SUPPORTED. */
  wireVersions?: WireVersionRange;
  /** The monthly reports (docs/billing.md); without it the route is absent. */
  reports?: ReportService;
  /** Documents' bytes (server/blobs); without it the blob routes are absent. */
  blobs?: { db: Database; store: BlobStore };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new SyncHttpError(403, 'no_certificate', 'a client certificate is required');
  return request.caller;
}

/**
 * The HTTPS sync API. TLS itself refuses clients without a certificate from the office service's CA
 * or with one on the CRL (the handshake fails); every request then maps the certificate's CN to a
 * directory user. Certificate-free routes (the calendar feed) live on their own listener, never here.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const wireVersions = deps.wireVersions ?? SYNC_WIRE_SUPPORTED;
  const app = Fastify({
    https: { ...deps.tls, requestCert: true, rejectUnauthorized: true, minVersion: TLS_MIN_VERSION },
    bodyLimit: MAX_PUSH_BYTES,
    logger: false,
  });
  strictUtf8Json(app);

  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket as TLSSocket;
    // Unreachable while TLS rejects unverified clients; kept so that a change to the TLS options can
    // never silently open a route: drop the connection as the refused handshake would.
    if (!socket.authorized) {
      reply.hijack();
      socket.destroy();
      return reply;
    }
    request.caller = deps.access.identify(socket.getPeerCertificate());
    checkWireVersion(request.headers[SYNC_WIRE_HEADER], wireVersions);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof SyncHttpError) {
      if (error.status === 403 || error.status === 426)
        deps.log('request refused', { url: request.url, code: error.code, reason: error.message });
      return reply.status(error.status).send(error.toBody());
    }
    if (isUnavailable(error)) {
      deps.log('database unavailable', { url: request.url, reason: (error as Error).message });
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(new SyncHttpError(503, 'database_unavailable', 'the sync database is unreachable; retry shortly').toBody());
    }
    if (isStorageFull(error)) {
      deps.log('database storage full', { url: request.url, reason: (error as Error).message });
      return reply
        .status(507)
        .header('retry-after', '5')
        .send(
          new SyncHttpError(507, 'storage_full', 'the sync database has no space left; nothing was stored, retry later').toBody(),
        );
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) {
      return reply
        .status(413)
        .send(new SyncHttpError(413, 'body_too_large', `a push body may be at most ${MAX_PUSH_BYTES} bytes`).toBody());
    }
    if (status !== undefined && status >= 400 && status < 500) {
      const code = /JSON/i.test((error as Error).message) ? 'malformed_json' : 'invalid_request';
      return reply
        .status(400)
        .send(new SyncHttpError(400, code, `the request body is not valid: ${(error as Error).message}`).toBody());
    }
    deps.log('request failed', {
      url: request.url,
      reason: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return reply.status(500).send({ error: { code: 'internal', message: 'internal server error' } });
  });

  app.post('/sync/push', async (request) => deps.sync.push(callerOf(request), request.body));
  app.get('/sync/pull', async (request) => deps.sync.pull(callerOf(request), request.query as Record<string, unknown>));
  app.get('/directory/me', (request, reply) => reply.send(deps.sync.me(callerOf(request))));
  if (deps.reports) {
    registerReportRoutes(app, {
      reports: deps.reports,
      tenantExists: (tenant) => deps.access.directory.tenants.some((t) => t.id === tenant),
      callerOf,
      log: deps.log,
    });
  }
  if (deps.blobs) registerBlobRoutes(app, { ...deps.blobs, access: deps.access, callerOf });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, message: string): void => {
      socket.end(
        `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\ncontent-type: text/plain\r\n\r\n${message}`,
      );
    };
    const refuseJson = (error: SyncHttpError): void => {
      const body = JSON.stringify(error.toBody());
      socket.end(
        `HTTP/1.1 ${error.status} Upgrade Required\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    if (!(req.socket as TLSSocket).authorized) return void socket.destroy();
    if (new URL(req.url ?? '/', 'https://x').pathname !== '/sync/live') return refuse(404, 'no such endpoint');
    let caller: Caller;
    try {
      caller = deps.access.identify((req.socket as TLSSocket).getPeerCertificate());
    } catch (error) {
      return refuse(403, (error as Error).message);
    }
    try {
      checkWireVersion(req.headers[SYNC_WIRE_HEADER], wireVersions);
    } catch (error) {
      deps.log('request refused', { url: req.url, code: (error as SyncHttpError).code, reason: (error as Error).message });
      return refuseJson(error as SyncHttpError);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      deps
        .cursor()
        .catch(() => '0')
        .then((cursor) => deps.hub.add(ws, caller.user.id, caller.serial, cursor))
        .catch(() => ws.terminate());
    });
  });
  app.addHook('onClose', (_instance, done) => {
    deps.hub.close();
    wss.close();
    done();
  });
  return app;
}
