/**
 * A firm's month as the report states it: every call and item with its figures, the contract
 * sections, corrections of earlier delivered months and the totals. This is what is frozen when a
 * month closes (JSON in billing_report), and the PDF and the CSV are printed from it alone, so a
 * frozen report prints the same forever.
 */
import type { BillingContract } from '../../protocol/billing-contract.js';

/**
 * billed: priced under the contract; free: shorter than the contract's free limit; no_bill: marked
 * "nicht berechnen" in the app; unanswered: nobody took it; no_contract: no contract was valid that day.
 */
export type LineStatus = 'billed' | 'free' | 'no_bill' | 'unanswered' | 'no_contract';

export interface ReportCallLine {
  callId: string;
  direction: 'in' | 'out';
  startedAt: string;
  remoteNumber: string;
  remoteName: string | null;
  answeredByName: string | null;
  talkSeconds: number;
  holdSeconds: number;
  afterCallWorkSeconds: number;
  /** The seconds that count under the contract, before the Takt. */
  countedSeconds: number;
  /** The counted seconds after the Takt: what is billed (0 unless status is billed). */
  billedSeconds: number;
  /** This call's own price (per_call and per_minute; 0 under a budget, which is priced per period). */
  amountCents: number;
  status: LineStatus;
  noBill: { reason: string; confirmedBy: string | null } | null;
  noteSubject: string | null;
  /** The app's connected time minus the PBX's, when they differ by more than 2 s; else null. */
  deviationSeconds: number | null;
  /** Index into MonthReport.sections of the contract valid at the call; -1 for no_contract. */
  section: number;
}

export interface ReportItemLine {
  id: string;
  date: string;
  kind: 'appointment' | 'item';
  description: string;
  quantity: number;
  unitCents: number;
  amountCents: number;
  section: number;
}

/** One budget period (a week or the month), cut at the month's edges and at contract changes. */
export interface ReportBudgetPeriod {
  from: string;
  /** Exclusive. */
  to: string;
  /** The share of the period's fee and included minutes, by days, when it was cut. */
  days: number;
  fullDays: number;
  includedSeconds: number;
  usedSeconds: number;
  extraSeconds: number;
  percent: number;
  feeCents: number;
  extraCents: number;
}

/** The part of the month one contract version governs. */
export interface ReportSection {
  contract: BillingContract;
  from: string;
  /** Exclusive. */
  to: string;
  billedSeconds: number;
  periods: ReportBudgetPeriod[];
  netCents: number;
  vatCents: number;
  grossCents: number;
}

export interface LineState {
  status: LineStatus | 'absent';
  billedSeconds: number;
  amountCents: number;
}

/** A change to one line of a delivered month. */
export interface ReportCorrectionLine {
  key: string;
  /** Day (YYYY-MM-DD) and, for a call, the time of the original line. */
  date: string;
  time: string | null;
  label: string;
  before: LineState;
  after: LineState;
}

/** What changed in a delivered (frozen) month since it was delivered, charged or credited now. */
export interface ReportCorrection {
  month: string;
  lines: ReportCorrectionLine[];
  before: { netCents: number; vatCents: number; grossCents: number };
  after: { netCents: number; vatCents: number; grossCents: number };
  deltaNetCents: number;
  deltaVatCents: number;
  deltaGrossCents: number;
}

export type TotalKind = 'calls_in' | 'calls_out' | 'budget_fee' | 'budget_extra' | 'appointment' | 'item' | 'correction';

export interface ReportKindTotal {
  kind: TotalKind;
  /** Calls billed, periods, pieces or corrected months. */
  quantity: number;
  /** Billed seconds after the Takt (calls and extra minutes), else 0. */
  billedSeconds: number;
  netCents: number;
}

export interface MonthReport {
  tenantId: string;
  tenantName: string;
  month: string;
  calls: ReportCallLine[];
  items: ReportItemLine[];
  sections: ReportSection[];
  corrections: ReportCorrection[];
  byKind: ReportKindTotal[];
  totals: {
    calls: number;
    answered: number;
    billedCalls: number;
    freeCalls: number;
    noBillCalls: number;
    flaggedCalls: number;
    billedSeconds: number;
    netCents: number;
    vatCents: number;
    grossCents: number;
  };
}

/** A report as delivered: frozen once its month has closed. */
export interface DeliveredReport {
  report: MonthReport;
  /** ISO instant of freezing, or null for an open month's provisional report. */
  frozenAt: string | null;
  /** SHA-256 (hex) of the frozen PDF; null while open. */
  pdfSha256: string | null;
}
