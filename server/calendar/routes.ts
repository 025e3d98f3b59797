import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/database.js';
import type { Directory } from '../home/directory.js';
import { loadAppointments } from './appointments.js';
import { renderFeed } from './feed.js';
import { tenantByToken } from './token.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

export interface CalendarFeedDeps {
  db: Queryable;
  /** The current directory (reloaded by the server when directory.json changes). */
  directory: () => Directory;
  log: Log;
}

const PREFIX = '/calendar/';

/**
 * The only path the feed listener (server/http/feed-app.ts) serves; it asks for no client certificate
 * because calendar apps cannot present one, so the unguessable token in the URL is the secret
 * (docs/calendar.md). The sync listener does not serve it.
 */
// Exactly one plain path segment after the prefix: no further slash, no percent-encoding, so no dot
// segment or encoded separator can make a request on the feed listener reach any other route.
const FEED_PATH = /^\/calendar\/[A-Za-z0-9._-]+(?:\?|$)/;

export function isCalendarFeedPath(url: string): boolean {
  return FEED_PATH.test(url) && !url.split('?')[0]!.includes('..');
}

/**
 * GET /calendar/<token>.ics. An unknown, malformed or revoked token is a plain 404, the same as a
 * path that never existed. The URL is never logged: it is the credential.
 */
export function registerCalendarFeed(app: FastifyInstance, deps: CalendarFeedDeps): void {
  app.get<{ Params: { file: string } }>(`${PREFIX}:file`, async (request, reply) => {
    const match = /^(.+)\.ics$/.exec(request.params.file);
    const tenant = match ? tenantByToken(deps.directory(), match[1]!) : undefined;
    if (!tenant) return reply.status(404).type('text/plain; charset=utf-8').send('Not Found');
    try {
      const body = renderFeed(tenant.name, await loadAppointments(deps.db, tenant.id));
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'no-cache, private')
        .header('content-disposition', `inline; filename="${tenant.id}.ics"`)
        .send(body);
    } catch (error) {
      deps.log('calendar feed failed', { tenant: tenant.id, reason: (error as Error).message });
      return reply.status(503).header('retry-after', '30').type('text/plain; charset=utf-8').send('Service Unavailable');
    }
  });
}
