import type { FirmUsage } from '../../../protocol/index.js';
import { BUDGET_ALERT_PERCENTS } from '../../../protocol/billing-units.js';

/** One in-app notice that a firm's budget reached a threshold in a period (docs/billing.md). */
export interface BudgetAlert {
  /** firm/period/threshold: shown once per computer until dismissed. */
  key: string;
  tenant: string;
  percent: (typeof BUDGET_ALERT_PERCENTS)[number];
  /** The consumption when it was seen, in whole percent. */
  used: number;
}

/** The alerts `usage` calls for that this computer has not shown yet. */
export function alertsFor(usage: readonly FirmUsage[], role: string | undefined, shown: readonly string[]): BudgetAlert[] {
  if (role !== 'lead' && role !== 'craftsman') return [];
  return usage.flatMap((u) => {
    if (role === 'craftsman' && !u.alertCraftsman) return [];
    // Only the highest threshold reached: who learns at once that the budget is used up needs no 80 % note.
    const percent = [...BUDGET_ALERT_PERCENTS].reverse().find((p) => u.percent >= p);
    const key = `${u.tenant}/${u.period}/${percent}`;
    return percent === undefined || shown.includes(key) ? [] : [{ key, tenant: u.tenant, percent, used: u.percent }];
  });
}
