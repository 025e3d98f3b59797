/**
 * GET /billing/report?tenant=…&month=YYYY-MM&format=pdf|csv on the mutual-TLS app. The certificate
 * names the caller; the lead reads any firm's report, a craftsman his own firm's, a teleworker
 * none. Refusals are 403 with a code per reason, so the app can say which.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REPORT_ERRORS, REPORT_PATH, ReportQuery } from '../../protocol/billing-report.js';
import type { Caller } from '../auth/access.js';
import type { DirectoryUserEntry } from '../home/directory.js';
import { SyncHttpError } from '../sync/errors.js';
import { UnknownTenantError, type ReportService } from './report-service.js';

export interface ReportRouteDeps {
  reports: ReportService;
  /** The tenant ids of the current directory. */
  tenantExists: (tenant: string) => boolean;
  callerOf: (request: FastifyRequest) => Caller;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Who may read `tenant`'s report; throws the refusal to send. */
export function checkReportAccess(user: DirectoryUserEntry, tenant: string, tenantExists: boolean): void {
  if (user.role === 'teleworker') {
    throw new SyncHttpError(403, REPORT_ERRORS.role, `${user.id} is a teleworker; reports are for the office lead and the firm`);
  }
  if (user.role === 'craftsman' && !user.tenants.includes(tenant)) {
    throw new SyncHttpError(403, REPORT_ERRORS.tenant, `${user.id} may read only his own firm's report, not ${tenant}'s`);
  }
  if (!tenantExists) throw new SyncHttpError(404, REPORT_ERRORS.unknown, `no firm ${tenant} in the directory`);
}

export function registerReportRoutes(app: FastifyInstance, deps: ReportRouteDeps): void {
  app.get(REPORT_PATH, async (request, reply) => {
    const caller = deps.callerOf(request);
    const query = ReportQuery.safeParse(request.query);
    if (!query.success) {
      const issue = query.error.issues[0];
      throw new SyncHttpError(400, 'invalid_request', `query ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const { tenant, month, format } = query.data;
    checkReportAccess(caller.user, tenant, deps.tenantExists(tenant));
    let file;
    try {
      file = await deps.reports.file(tenant, month, format);
    } catch (error) {
      if (error instanceof UnknownTenantError) throw new SyncHttpError(404, REPORT_ERRORS.unknown, error.message);
      throw error;
    }
    deps.log('report delivered', { user: caller.user.id, tenant, month, format, frozen: file.frozen });
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .header('x-report-frozen', file.frozen ? '1' : '0')
      .send(file.body);
  });
}
