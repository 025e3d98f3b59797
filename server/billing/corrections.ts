/**
 * Corrections: a delivered month never changes. When its lines, recomputed now, differ from what was
 * delivered (a late-synced hold, a "nicht berechnen" set afterwards, a CDR that arrived late), the
 * difference is charged or credited in the month being reported now, line by line, with the
 * delivered month's totals before and after.
 */
import { berlinFields } from './calendar.js';
import type { LineState, MonthReport, ReportCorrection, ReportCorrectionLine } from './report-model.js';

interface Described {
  state: LineState;
  date: string;
  time: string | null;
  label: string;
}

const ABSENT: LineState = { status: 'absent', billedSeconds: 0, amountCents: 0 };

function describedLines(report: MonthReport): Map<string, Described> {
  const lines = new Map<string, Described>();
  for (const call of report.calls) {
    const { date, time } = berlinFields(call.startedAt);
    lines.set(`call:${call.callId}`, {
      state: { status: call.status, billedSeconds: call.billedSeconds, amountCents: call.amountCents },
      date,
      time,
      label: call.remoteName ?? call.remoteNumber,
    });
  }
  for (const item of report.items) {
    lines.set(`item:${item.id}`, {
      state: { status: item.section < 0 ? 'no_contract' : 'billed', billedSeconds: 0, amountCents: item.amountCents },
      date: item.date,
      time: null,
      label: item.description,
    });
  }
  return lines;
}

const sameState = (a: LineState, b: LineState) =>
  a.status === b.status && a.billedSeconds === b.billedSeconds && a.amountCents === b.amountCents;

/** A month's own figures, without the corrections of earlier months it carried. */
function ownTotals(report: MonthReport) {
  const sum = (f: (s: MonthReport['sections'][number]) => number) => report.sections.reduce((a, s) => a + f(s), 0);
  return { netCents: sum((s) => s.netCents), vatCents: sum((s) => s.vatCents), grossCents: sum((s) => s.grossCents) };
}

/**
 * What differs between `delivered` (a frozen month, as amended by the corrections for it delivered
 * since, oldest first) and `recomputed` (the same month from today's lines); null when nothing does.
 */
export function correctionFor(
  delivered: MonthReport,
  amendments: readonly ReportCorrection[],
  recomputed: MonthReport,
): ReportCorrection | null {
  const before = describedLines(delivered);
  let totals = ownTotals(delivered);
  for (const amendment of amendments) {
    for (const line of amendment.lines) {
      before.set(line.key, { state: line.after, date: line.date, time: line.time, label: line.label });
    }
    totals = amendment.after;
  }
  const after = describedLines(recomputed);
  const lines: ReportCorrectionLine[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(key);
    const now = after.get(key);
    const wasState = was?.state ?? ABSENT;
    const nowState = now?.state ?? ABSENT;
    if (sameState(wasState, nowState)) continue;
    const shown = (now ?? was)!;
    lines.push({ key, date: shown.date, time: shown.time, label: shown.label, before: wasState, after: nowState });
  }
  lines.sort((a, b) => (a.date + (a.time ?? '') + a.key < b.date + (b.time ?? '') + b.key ? -1 : 1));
  const recomputedTotals = ownTotals(recomputed);
  if (lines.length === 0 && recomputedTotals.grossCents === totals.grossCents && recomputedTotals.netCents === totals.netCents) {
    return null;
  }
  return {
    month: delivered.month,
    lines,
    before: totals,
    after: recomputedTotals,
    deltaNetCents: recomputedTotals.netCents - totals.netCents,
    deltaVatCents: recomputedTotals.vatCents - totals.vatCents,
    deltaGrossCents: recomputedTotals.grossCents - totals.grossCents,
  };
}
