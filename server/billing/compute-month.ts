/**
 * A firm's month from its billing lines: each call under the contract valid on its day, budget
 * periods, items, corrections of delivered months, totals by kind and VAT. Pure: the same lines
 * give the same report, so a frozen month can be recomputed and compared (corrections.ts).
 */
import type { BillingContract } from '../../protocol/billing-contract.js';
import type { BillingCallLine, BillingItemLine, ContractVersion } from '../../protocol/billing-lines.js';
import { countedSeconds, meterCall, withVat, type CallDurations } from '../../protocol/billing-units.js';
import { budgetPeriod, periodSpans } from './budget-periods.js';
import { berlinDate, monthRange } from './calendar.js';
import type {
  MonthReport,
  ReportCallLine,
  ReportCorrection,
  ReportItemLine,
  ReportKindTotal,
  ReportSection,
} from './report-model.js';

/** The app's and the PBX's connected time may differ by this much before the report says so. */
export const DEVIATION_TOLERANCE_SECONDS = 2;

export interface MonthInput {
  tenantId: string;
  tenantName: string;
  month: string;
  contracts: readonly ContractVersion[];
  calls: readonly BillingCallLine[];
  items: readonly BillingItemLine[];
  corrections?: readonly ReportCorrection[];
}

interface SectionSpan {
  contract: BillingContract;
  from: string;
  to: string;
}

/** The contract versions governing parts of the month, each from its validFrom until the next one's. */
export function sectionSpans(contracts: readonly ContractVersion[], from: string, to: string): SectionSpan[] {
  const versions = [...contracts]
    .map((v) => v.contract)
    .sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));
  const spans: SectionSpan[] = [];
  versions.forEach((contract, index) => {
    const until = versions[index + 1]?.validFrom;
    const start = contract.validFrom > from ? contract.validFrom : from;
    const end = until !== undefined && until < to ? until : to;
    if (start < end) spans.push({ contract, from: start, to: end });
  });
  return spans;
}

function sectionOf(spans: readonly SectionSpan[], date: string): number {
  return spans.findIndex((s) => s.from <= date && date < s.to);
}

const byStart = (a: BillingCallLine, b: BillingCallLine) =>
  a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0;

function callLine(call: BillingCallLine, spans: readonly SectionSpan[], day: string): ReportCallLine {
  const section = sectionOf(spans, day);
  const contract = spans[section]?.contract;
  const durations: CallDurations = {
    talkSeconds: call.talkSeconds,
    holdSeconds: call.holdSeconds,
    afterCallWorkSeconds: call.afterCallWorkSeconds,
  };
  const deviation = call.appTalkSeconds === null ? 0 : call.appTalkSeconds - call.talkSeconds;
  const line: ReportCallLine = {
    callId: call.callId,
    direction: call.direction,
    startedAt: call.startedAt,
    remoteNumber: call.remoteNumber,
    remoteName: call.remoteName,
    answeredByName: call.answeredByName ?? call.answeredBy,
    talkSeconds: call.talkSeconds,
    holdSeconds: call.holdSeconds,
    afterCallWorkSeconds: call.afterCallWorkSeconds,
    countedSeconds: contract ? countedSeconds(contract, durations) : call.talkSeconds,
    billedSeconds: 0,
    amountCents: 0,
    status: 'billed',
    noBill: call.noBill,
    noteSubject: call.noteSubject,
    deviationSeconds: Math.abs(deviation) > DEVIATION_TOLERANCE_SECONDS ? deviation : null,
    section,
  };
  if (call.answeredBy === null || call.talkSeconds === 0) return { ...line, status: 'unanswered', countedSeconds: 0 };
  if (call.noBill) return { ...line, status: 'no_bill' };
  if (!contract) return { ...line, status: 'no_contract' };
  const metered = meterCall(contract, durations);
  if (metered.free) return { ...line, status: 'free' };
  return { ...line, billedSeconds: metered.billedSeconds, amountCents: metered.amountCents };
}

function itemLine(item: BillingItemLine, spans: readonly SectionSpan[]): ReportItemLine {
  const section = sectionOf(spans, item.date);
  return {
    id: item.id,
    date: item.date,
    kind: item.kind,
    description: item.description,
    quantity: item.quantity,
    unitCents: item.unitCents,
    // Nothing is billed on a day no contract covers, items as little as calls.
    amountCents: section < 0 ? 0 : item.quantity * item.unitCents,
    section,
  };
}

function section(
  span: SectionSpan,
  index: number,
  calls: readonly ReportCallLine[],
  days: Map<ReportCallLine, string>,
  items: readonly ReportItemLine[],
  month: { from: string; to: string },
): ReportSection {
  const own = calls.filter((c) => c.section === index);
  const itemsNet = items.filter((i) => i.section === index).reduce((sum, i) => sum + i.amountCents, 0);
  const billedSeconds = own.reduce((sum, c) => sum + c.billedSeconds, 0);
  const { contract } = span;
  if (contract.model !== 'budget') {
    const net = own.reduce((sum, c) => sum + c.amountCents, 0) + itemsNet;
    return { contract, from: span.from, to: span.to, billedSeconds, periods: [], ...vatOf(net, contract) };
  }
  const metered = own.filter((c) => c.status === 'billed' || c.status === 'free');
  const periods = periodSpans(contract.period, span.from, span.to, month.from, month.to).map((p) =>
    budgetPeriod(
      contract,
      p,
      metered
        .filter((c) => {
          const day = days.get(c)!;
          return p.from <= day && day < p.to;
        })
        .map((c) => ({ talkSeconds: c.talkSeconds, holdSeconds: c.holdSeconds, afterCallWorkSeconds: c.afterCallWorkSeconds })),
    ),
  );
  const net = periods.reduce((sum, p) => sum + p.feeCents + p.extraCents, 0) + itemsNet;
  return { contract, from: span.from, to: span.to, billedSeconds, periods, ...vatOf(net, contract) };
}

function vatOf(net: number, contract: BillingContract) {
  const vat = withVat(net, contract.vatBasisPoints);
  return { netCents: vat.netCents, vatCents: vat.vatCents, grossCents: vat.grossCents };
}

function kindTotals(report: Pick<MonthReport, 'calls' | 'items' | 'sections' | 'corrections'>): ReportKindTotal[] {
  const kinds: ReportKindTotal[] = [];
  for (const direction of ['in', 'out'] as const) {
    const billed = report.calls.filter((c) => c.direction === direction && c.status === 'billed');
    if (direction === 'out' && billed.length === 0) continue;
    kinds.push({
      kind: direction === 'in' ? 'calls_in' : 'calls_out',
      quantity: billed.length,
      billedSeconds: billed.reduce((sum, c) => sum + c.billedSeconds, 0),
      netCents: billed.reduce((sum, c) => sum + c.amountCents, 0),
    });
  }
  const periods = report.sections.flatMap((s) => s.periods);
  if (periods.length > 0) {
    kinds.push({
      kind: 'budget_fee',
      quantity: periods.length,
      billedSeconds: 0,
      netCents: periods.reduce((s, p) => s + p.feeCents, 0),
    });
    kinds.push({
      kind: 'budget_extra',
      quantity: periods.filter((p) => p.extraSeconds > 0).length,
      billedSeconds: periods.reduce((s, p) => s + p.extraSeconds, 0),
      netCents: periods.reduce((s, p) => s + p.extraCents, 0),
    });
  }
  for (const kind of ['appointment', 'item'] as const) {
    const items = report.items.filter((i) => i.kind === kind && i.section >= 0);
    if (items.length === 0) continue;
    kinds.push({
      kind,
      quantity: items.reduce((s, i) => s + i.quantity, 0),
      billedSeconds: 0,
      netCents: items.reduce((s, i) => s + i.amountCents, 0),
    });
  }
  if (report.corrections.length > 0) {
    kinds.push({
      kind: 'correction',
      quantity: report.corrections.length,
      billedSeconds: 0,
      netCents: report.corrections.reduce((s, c) => s + c.deltaNetCents, 0),
    });
  }
  return kinds;
}

export function computeMonth(input: MonthInput): MonthReport {
  const month = monthRange(input.month);
  const spans = sectionSpans(input.contracts, month.from, month.to);
  const days = new Map<ReportCallLine, string>();
  const calls = [...input.calls]
    .filter((c) => c.startedAt >= month.fromIso && c.startedAt < month.toIso)
    .sort(byStart)
    .map((c) => {
      const day = berlinDate(c.startedAt);
      const line = callLine(c, spans, day);
      days.set(line, day);
      return line;
    });
  const items = [...input.items]
    .filter((i) => i.date >= month.from && i.date < month.to)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1))
    .map((i) => itemLine(i, spans));
  const sections = spans.map((span, index) => section(span, index, calls, days, items, month));
  const corrections = [...(input.corrections ?? [])];
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const netCents = sum(sections.map((s) => s.netCents)) + sum(corrections.map((c) => c.deltaNetCents));
  const vatCents = sum(sections.map((s) => s.vatCents)) + sum(corrections.map((c) => c.deltaVatCents));
  return {
    tenantId: input.tenantId,
    tenantName: input.tenantName,
    month: input.month,
    calls,
    items,
    sections,
    corrections,
    byKind: kindTotals({ calls, items, sections, corrections }),
    totals: {
      calls: calls.length,
      answered: calls.filter((c) => c.status !== 'unanswered').length,
      billedCalls: calls.filter((c) => c.status === 'billed').length,
      freeCalls: calls.filter((c) => c.status === 'free').length,
      noBillCalls: calls.filter((c) => c.status === 'no_bill').length,
      flaggedCalls: calls.filter((c) => c.deviationSeconds !== null).length,
      billedSeconds: sum(calls.map((c) => c.billedSeconds)),
      netCents,
      vatCents,
      grossCents: netCents + vatCents,
    },
  };
}
