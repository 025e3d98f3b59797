/**
 * Frozen reports: a closed month's report exactly as delivered (billing_report). Written once; a
 * second writer for the same month (two requests at the month's first download) keeps the first.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import type { MonthReport } from './report-model.js';

export interface FrozenReport {
  report: MonthReport;
  pdf: Buffer;
  pdfSha256: string;
  frozenAt: string;
}

interface Row {
  report: MonthReport | string;
  pdf: Uint8Array;
  pdf_sha256: string;
  frozen_at: Date | string;
}

function fromRow(row: Row): FrozenReport {
  return {
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as MonthReport) : row.report,
    pdf: Buffer.from(row.pdf),
    pdfSha256: row.pdf_sha256,
    frozenAt: new Date(row.frozen_at).toISOString(),
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FrozenReports {
  constructor(private readonly db: Queryable) {}

  async get(tenant: string, month: string): Promise<FrozenReport | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT report, pdf, pdf_sha256, frozen_at FROM billing_report WHERE tenant = $1 AND month = $2',
      [tenant, month],
    );
    return rows[0] && fromRow(rows[0]);
  }

  /** The tenant's frozen months in [fromMonth, toMonth), oldest first. */
  async between(tenant: string, fromMonth: string, toMonth: string): Promise<FrozenReport[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT report, pdf, pdf_sha256, frozen_at FROM billing_report
        WHERE tenant = $1 AND month >= $2 AND month < $3 ORDER BY month COLLATE "C"`,
      [tenant, fromMonth, toMonth],
    );
    return rows.map(fromRow);
  }

  /** Stores the month unless it is frozen already; answers what is stored now. */
  async freeze(report: MonthReport, pdf: Buffer, frozenAt: string): Promise<FrozenReport> {
    await this.db.query(
      `INSERT INTO billing_report (tenant, month, report, pdf, pdf_sha256, frozen_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, month) DO NOTHING`,
      [report.tenantId, report.month, JSON.stringify(report), pdf, sha256(pdf), frozenAt],
    );
    const stored = await this.get(report.tenantId, report.month);
    if (!stored) throw new Error(`the report of ${report.tenantId} for ${report.month} was not stored`);
    return stored;
  }
}
