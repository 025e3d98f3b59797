/**
 * A firm's monthly report, from the billing lines to the delivered file. An open month is computed
 * afresh at every request (provisional), and so is a month no contract covers. A closed month — its
 * last Berlin day is over — is frozen at its first request: figures and PDF are stored and every later request gets those very bytes. A
 * late change to a frozen month's calls shows up as a correction in the next month computed.
 */
import type { BillingSource } from '../../protocol/billing-lines.js';
import type { Queryable } from '../db/database.js';
import { berlinDate, monthRange, isMonth } from './calendar.js';
import { computeMonth } from './compute-month.js';
import { correctionFor } from './corrections.js';
import { FrozenReports } from './frozen-reports.js';
import type { Letterhead } from './letterhead.js';
import { reportCsv } from './report-csv.js';
import type { MonthReport, ReportCorrection } from './report-model.js';
import { reportPdf } from './report-pdf.js';

/** How far back delivered months are rechecked for late changes. */
export const CORRECTION_LOOKBACK_MONTHS = 12;

export type ReportFormat = 'pdf' | 'csv';

export interface ReportFile {
  body: Buffer;
  contentType: string;
  fileName: string;
  /** True when the month is closed and this is its frozen report. */
  frozen: boolean;
}

export interface ReportServiceDeps {
  db: Queryable;
  source: BillingSource;
  /** The firm's display name, or undefined for a tenant the directory does not know. */
  tenantName: (tenant: string) => string | undefined;
  letterhead: () => Letterhead;
  now?: () => number;
}

export class UnknownTenantError extends Error {
  override name = 'UnknownTenantError';
}

function monthsBack(month: string, count: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export class ReportService {
  private readonly frozen: FrozenReports;
  private readonly now: () => number;

  constructor(private readonly deps: ReportServiceDeps) {
    this.frozen = new FrozenReports(deps.db);
    this.now = deps.now ?? Date.now;
  }

  /** Whether the month's last day (Berlin) is over, so its report is final. */
  isClosed(month: string): boolean {
    return Date.parse(monthRange(month).toIso) <= this.now();
  }

  private name(tenant: string): string {
    const name = this.deps.tenantName(tenant);
    if (name === undefined) throw new UnknownTenantError(`tenant "${tenant}" is not in the directory`);
    return name;
  }

  /** The month computed from today's lines, with no corrections. */
  async compute(tenant: string, month: string, corrections: ReportCorrection[] = []): Promise<MonthReport> {
    const range = monthRange(month);
    const [contracts, calls, items] = await Promise.all([
      this.deps.source.contracts(tenant),
      this.deps.source.callLines(tenant, range.fromIso, range.toIso),
      this.deps.source.itemLines(tenant, range.from, range.to),
    ]);
    return computeMonth({ tenantId: tenant, tenantName: this.name(tenant), month, contracts, calls, items, corrections });
  }

  /** What changed in the frozen months before `month` since each was delivered. */
  async corrections(tenant: string, month: string): Promise<ReportCorrection[]> {
    const delivered = await this.frozen.between(tenant, monthsBack(month, CORRECTION_LOOKBACK_MONTHS), month);
    const corrections: ReportCorrection[] = [];
    for (const [index, closed] of delivered.entries()) {
      const amendments = delivered
        .slice(index + 1)
        .flatMap((later) => later.report.corrections.filter((c) => c.month === closed.report.month));
      const recomputed = await this.compute(tenant, closed.report.month);
      const correction = correctionFor(closed.report, amendments, recomputed);
      if (correction) corrections.push(correction);
    }
    return corrections;
  }

  /** The month's report: the frozen one, or computed now (and frozen if the month is closed). */
  async report(tenant: string, month: string): Promise<{ report: MonthReport; pdf?: Buffer; frozenAt: string | null }> {
    if (!isMonth(month)) throw new RangeError(`"${month}" is not a month (YYYY-MM)`);
    this.name(tenant);
    const stored = await this.frozen.get(tenant, month);
    if (stored) return { report: stored.report, pdf: stored.pdf, frozenAt: stored.frozenAt };
    const report = await this.compute(tenant, month, await this.corrections(tenant, month));
    // A month no contract covers bills nothing, so there is nothing to deliver and keep: it stays
    // provisional, and a contract entered later (or a metering source wired later) still applies to it.
    if (!this.isClosed(month) || report.sections.length === 0) return { report, frozenAt: null };
    const frozenAt = new Date(this.now()).toISOString();
    const pdf = await reportPdf(report, { letterhead: this.deps.letterhead(), frozenOn: berlinDate(frozenAt) });
    const kept = await this.frozen.freeze(report, pdf, frozenAt);
    return { report: kept.report, pdf: kept.pdf, frozenAt: kept.frozenAt };
  }

  async file(tenant: string, month: string, format: ReportFormat): Promise<ReportFile> {
    const { report, pdf, frozenAt } = await this.report(tenant, month);
    const base = `Leistungsnachweis-${tenant}-${month}${frozenAt ? '' : '-vorlaeufig'}`;
    if (format === 'csv') {
      return {
        body: reportCsv(report),
        contentType: 'text/csv; charset=utf-8',
        fileName: `${base}.csv`,
        frozen: frozenAt !== null,
      };
    }
    const body = pdf ?? (await reportPdf(report, { letterhead: this.deps.letterhead(), frozenOn: null }));
    return { body, contentType: 'application/pdf', fileName: `${base}.pdf`, frozen: frozenAt !== null };
  }
}
