import Fastify, { type FastifyInstance } from 'fastify';
import { TLS_MIN_VERSION } from './app.js';
import { isCalendarFeedPath, registerCalendarFeed, type CalendarFeedDeps } from '../calendar/routes.js';

export interface FeedAppDeps extends CalendarFeedDeps {
  /** The server's key and certificate chain only: this listener asks no client for a certificate. */
  tls: { key: string; cert: string };
}

/**
 * The certificate-free listener for calendar apps (docs/calendar.md). It is a Fastify instance of its
 * own with the feed route and nothing else registered, so no sync route can be reached through it,
 * whatever is added to the sync app later.
 */
export function buildFeedApp(deps: FeedAppDeps): FastifyInstance {
  const app = Fastify({
    https: { key: deps.tls.key, cert: deps.tls.cert, minVersion: TLS_MIN_VERSION },
    // A feed request has no body; anything bigger than a stray header-only request is not a calendar app.
    bodyLimit: 1024,
    logger: false,
  });
  // Second line of defence: even a route registered here by mistake is not reachable outside the feed path.
  app.addHook('onRequest', async (request, reply) => {
    if (!isCalendarFeedPath(request.url)) return reply.status(404).type('text/plain; charset=utf-8').send('Not Found');
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).type('text/plain; charset=utf-8').send('Not Found'));
  // No WebSocket on this port: an upgrade (e.g. to /sync/live) is dropped before any handler sees it.
  app.server.on('upgrade', (_req, socket: { destroy(): void }) => socket.destroy());
  registerCalendarFeed(app, deps);
  return app;
}
