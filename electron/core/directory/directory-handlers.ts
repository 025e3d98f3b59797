import { HostError, type DirectoryMe } from '../../../protocol/index.js';
import type { presenceMethods } from '../../../protocol/presence.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { Logger } from '../log/logger.js';
import { SyncHttpClient, SyncRequestError, type SyncTls } from '../sync/sync-client.js';

export interface DirectoryDeps {
  /** The sync server and the identity's TLS options (the same provider the sync engine uses). */
  endpoint: () => { url: string; tls: SyncTls } | undefined;
  log: Logger;
  /**
   * Every fresh answer. The composition root seeds the firms into the caller lookup with it: the
   * synced tenant records arrive with the first pull, and a call ringing before that must still show
   * whose phone it is.
   */
  onLoaded?: (me: DirectoryMe) => void;
}

/**
 * `directory.me` for the team view. The directory changes rarely (admin CLI), so the last answer is
 * kept and served when the server is briefly unreachable — the team list then still shows people.
 */
export function directoryHandlers(deps: DirectoryDeps): HandlersFor<typeof presenceMethods> {
  let last: DirectoryMe | undefined;
  return {
    'directory.me': async () => {
      const endpoint = deps.endpoint();
      if (!endpoint) throw new HostError('not_configured', 'no identity or sync server configured');
      const client = new SyncHttpClient(endpoint.url, () => endpoint.tls);
      try {
        last = await client.me();
        try {
          deps.onLoaded?.(last);
        } catch (error) {
          deps.log.warn('directory could not be applied locally', { reason: String(error) });
        }
        return last;
      } catch (error) {
        deps.log.warn('directory request failed', { reason: String(error) });
        if (last) return last;
        if (error instanceof SyncRequestError && (error.status === 401 || error.status === 403)) {
          throw new HostError('forbidden', `the server refused the directory: ${error.message}`);
        }
        throw new HostError('unavailable', `directory not reachable: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        client.close();
      }
    },
  };
}
