/**
 * A budget contract's periods inside one part of a month: the month itself, or the Monday-to-Sunday
 * weeks. A period cut by the month's edge or by a contract change gets the share of its fee and of
 * its included minutes that its days are of the whole period (docs/billing.md, "Budget periods").
 */
import type { BudgetContract } from '../../protocol/billing-contract.js';
import { divRound, periodTotal, type CallDurations } from '../../protocol/billing-units.js';
import { addDays, daysBetween, weekday } from './calendar.js';
import type { ReportBudgetPeriod } from './report-model.js';

export interface PeriodSpan {
  from: string;
  to: string;
  days: number;
  fullDays: number;
}

/** The periods covering [from, to) for a budget `period` of week or month, `monthFrom/monthTo` the month. */
export function periodSpans(
  period: 'week' | 'month',
  from: string,
  to: string,
  monthFrom: string,
  monthTo: string,
): PeriodSpan[] {
  if (period === 'month') {
    return [{ from, to, days: daysBetween(from, to), fullDays: daysBetween(monthFrom, monthTo) }];
  }
  const spans: PeriodSpan[] = [];
  let start = from;
  while (start < to) {
    const weekEnd = addDays(start, 7 - weekday(start));
    const end = weekEnd < to ? weekEnd : to;
    spans.push({ from: start, to: end, days: daysBetween(start, end), fullDays: 7 });
    start = end;
  }
  return spans;
}

/** The contract scaled to a cut period: fee to the cent and included minutes to the whole minute. */
export function shareOf(contract: BudgetContract, span: PeriodSpan): BudgetContract {
  if (span.days === span.fullDays) return contract;
  return {
    ...contract,
    feeCents: divRound(contract.feeCents * span.days, span.fullDays),
    includedMinutes: divRound(contract.includedMinutes * span.days, span.fullDays),
  };
}

/** One period's figures from the durations of its billable calls, in call order. */
export function budgetPeriod(contract: BudgetContract, span: PeriodSpan, calls: readonly CallDurations[]): ReportBudgetPeriod {
  const share = shareOf(contract, span);
  const total = periodTotal(share, calls);
  const budget = total.budget!;
  return {
    from: span.from,
    to: span.to,
    days: span.days,
    fullDays: span.fullDays,
    includedSeconds: budget.includedSeconds,
    usedSeconds: budget.usedSeconds,
    extraSeconds: budget.extraSeconds,
    percent: budget.percent,
    feeCents: share.feeCents,
    extraCents: total.netCents - share.feeCents,
  };
}
