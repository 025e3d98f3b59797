import { REPORT_ERRORS, type billingMethods } from '../../../protocol/billing-report.js';
import { HostError } from '../../../protocol/index.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { Logger } from '../log/logger.js';
import { SyncHttpClient, SyncRequestError, type SyncTls } from './sync-client.js';

export interface BillingDeps {
  /** The sync server and the identity's TLS options (the same provider the sync engine uses). */
  endpoint: () => { url: string; tls: SyncTls } | undefined;
  log: Logger;
}

/**
 * The monthly report from the server, over the same certificate as sync. The server decides who may
 * read which firm's report; its refusals become `forbidden` / `not_found` here, with its reason in the log.
 */
export function billingHandlers(deps: BillingDeps): HandlersFor<typeof billingMethods> {
  return {
    'billing.report': async (query) => {
      const endpoint = deps.endpoint();
      if (!endpoint) throw new HostError('not_configured', 'no identity or sync server configured');
      const client = new SyncHttpClient(endpoint.url, () => endpoint.tls);
      try {
        const file = await client.report(query);
        const contentType = query.format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8';
        if (file.contentType !== contentType)
          throw new HostError('unavailable', `the server sent ${file.contentType}, not ${contentType}`);
        return { fileName: file.fileName, contentType, base64: file.body.toString('base64'), frozen: file.frozen };
      } catch (error) {
        if (error instanceof HostError) throw error;
        deps.log.warn('report request failed', { tenant: query.tenant, month: query.month, reason: String(error) });
        if (error instanceof SyncRequestError) {
          if (error.code === REPORT_ERRORS.role || error.code === REPORT_ERRORS.tenant || error.status === 403)
            throw new HostError('forbidden', error.message);
          if (error.code === REPORT_ERRORS.unknown) throw new HostError('not_found', error.message);
          if (error.status === 400) throw new HostError('validation', error.message);
        }
        throw new HostError('unavailable', `report not reachable: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        client.close();
      }
    },
  };
}
