/**
 * The monthly report's download over the sync API (mutual TLS): who asks is the client certificate,
 * what is asked is the query below. The office lead may read every firm's report, a craftsman only
 * his own firm's, a teleworker none; the server decides (docs/billing.md, "Delivery").
 */
import { z } from 'zod';
import type { MethodSpec } from './host-api.js';
import { TenantId } from './sync.js';

export const REPORT_PATH = '/billing/report';

export const ReportMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');
export const ReportFormat = z.enum(['pdf', 'csv']);
export type ReportFormat = z.infer<typeof ReportFormat>;

export const ReportQuery = z.object({ tenant: TenantId, month: ReportMonth, format: ReportFormat });
export type ReportQuery = z.infer<typeof ReportQuery>;

/** Refusal codes of the report route, each with its own German message in the app. */
export const REPORT_ERRORS = {
  /** The caller's role reads no reports (teleworkers). */
  role: 'report_role_forbidden',
  /** A craftsman asked for a firm other than his own. */
  tenant: 'report_other_firm',
  /** The directory has no such firm. */
  unknown: 'report_unknown_firm',
} as const;

/** The report as the app receives it from its host: the renderer saves it as a download, never by path. */
export const ReportFileData = z.object({
  fileName: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/),
  contentType: z.enum(['application/pdf', 'text/csv; charset=utf-8']),
  /** The file's bytes, base64. */
  base64: z.string().max(64 * 1024 * 1024),
  /** The month is closed and this is its frozen report. */
  frozen: z.boolean(),
});
export type ReportFileData = z.infer<typeof ReportFileData>;

export const billingMethods = {
  'billing.report': { input: ReportQuery, output: ReportFileData },
} as const satisfies Record<string, MethodSpec>;
