import type { FirmUsage } from '../../../protocol/index.js';
import { alertsFor, type BudgetAlert } from '../lib/budget-alerts.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';
import { identityState } from './identity.svelte.js';

/**
 * The budget firms' consumption of their current period (docs/billing.md), as the server last
 * computed it from the PBX's records, and the in-app alerts at 80 % and 100 %: the lead gets them for
 * every firm, a craftsman for his own when the contract says so (the server sends a teleworker none).
 * An alert is shown once per firm, period and threshold on this computer, until dismissed.
 */

interface BudgetView {
  usage: Record<string, FirmUsage>;
  alerts: BudgetAlert[];
}
export const budgetState = $state<BudgetView>({ usage: {}, alerts: [] });

const SEEN_KEY = 'vermittlung.budgetAlertsSeen';
let listening = false;

/** The alert keys shown and dismissed on this computer. */
function seen(): string[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(SEEN_KEY) ?? '[]');
    return Array.isArray(raw) ? raw.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

export async function loadBudget(): Promise<void> {
  try {
    const usage = await call('billing.usage');
    budgetState.usage = Object.fromEntries(usage.map((u) => [u.tenant, u]));
    const showing = budgetState.alerts.map((a) => a.key);
    const fresh = alertsFor(usage, identityState.summary?.role, [...seen(), ...showing]);
    budgetState.alerts = [...budgetState.alerts, ...fresh];
  } catch (error) {
    reportError(error, 'billing.usage');
  }
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table === 'firm_usage') void loadBudget();
    });
  }
}

export function dismissBudgetAlert(key: string): void {
  const keys = seen().filter((k) => k !== key);
  localStorage.setItem(SEEN_KEY, JSON.stringify([...keys, key].slice(-500)));
  budgetState.alerts = budgetState.alerts.filter((a) => a.key !== key);
}
