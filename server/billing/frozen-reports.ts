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
  pdf_hex: string;
  pdf_sha256: string;
  frozen_at: Date | string;
}

function fromRow(row: Row): FrozenReport {
  return {
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as MonthReport) : row.report,
    pdf: Buffer.from(row.pdf_hex, 'hex'),
    pdfSha256: row.pdf_sha256,
    frozenAt: new Date(row.frozen_at).toISOString(),
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The PDF crosses the driver as hex text that PostgreSQL encodes and decodes itself: PGlite's own
 * bytea conversion goes byte by byte in JavaScript, which for a 10,000-call month's PDF costs more
 * than laying it out.
 */
const COLUMNS = "report, encode(pdf, 'hex') AS pdf_hex, pdf_sha256, frozen_at";

export class FrozenReports {
  constructor(private readonly db: Queryable) {}

  async get(tenant: string, month: string): Promise<FrozenReport | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM billing_report WHERE tenant = $1 AND month = $2`, [
      tenant,
      month,
    ]);
    return rows[0] && fromRow(rows[0]);
  }

  /** The tenant's frozen months in [fromMonth, toMonth), oldest first. */
  async between(tenant: string, fromMonth: string, toMonth: string): Promise<FrozenReport[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM billing_report
        WHERE tenant = $1 AND month >= $2 AND month < $3 ORDER BY month COLLATE "C"`,
      [tenant, fromMonth, toMonth],
    );
    return rows.map(fromRow);
  }

  /** Stores the month unless it is frozen already; answers what is stored now. */
  async freeze(report: MonthReport, pdf: Buffer, frozenAt: string): Promise<FrozenReport> {
    const json = JSON.stringify(report);
    const pdfSha256 = sha256(pdf);
    const { rows } = await this.db.query<{ frozen_at: Date | string }>(
      `INSERT INTO billing_report (tenant, month, report, pdf, pdf_sha256, frozen_at)
       VALUES ($1, $2, $3, decode($4, 'hex'), $5, $6) ON CONFLICT (tenant, month) DO NOTHING RETURNING frozen_at`,
      [report.tenantId, report.month, json, pdf.toString('hex'), pdfSha256, frozenAt],
    );
    // Written now: what is stored is these very bytes and this JSON text, parsed as a read would parse
    // it, without fetching a month's megabytes back through the driver.
    if (rows[0]) {
      return { report: JSON.parse(json) as MonthReport, pdf, pdfSha256, frozenAt: new Date(rows[0].frozen_at).toISOString() };
    }
    const stored = await this.get(report.tenantId, report.month);
    if (!stored) throw new Error(`the report of ${report.tenantId} for ${report.month} was not stored`);
    return stored;
  }
}
