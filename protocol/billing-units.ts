/**
 * The metering arithmetic: from one call's durations to its billed seconds and amount, and from a
 * period's calls to its total, budget consumption and VAT. Pure functions of whole seconds and
 * integer cents, so the server and the apps compute the same figures and a reader can recheck each
 * line by hand (docs/billing.md has worked examples).
 */
import type { BillingContract, BudgetContract, Takt } from './billing-contract.js';

/** Budget consumption at which the lead (and, if the contract says so, the craftsman) is told. */
export const BUDGET_ALERT_PERCENTS = [80, 100] as const;
export type BudgetAlertPercent = (typeof BUDGET_ALERT_PERCENTS)[number];

/** What is known of one call, in whole seconds. */
export interface CallDurations {
  /** Connected time from answer to hang-up, hold included (what the PBX measures). */
  talkSeconds: number;
  /** The part of talkSeconds the call was on hold. */
  holdSeconds: number;
  /** From hang-up until the note was saved. */
  afterCallWorkSeconds: number;
}

export interface MeteredCall {
  /** Free: connected for less than the contract's freeBelowSeconds; nothing of it is billed. */
  free: boolean;
  /** The seconds that count under the contract, before the Takt. */
  countedSeconds: number;
  /** countedSeconds rounded up on the Takt: the figure billed. */
  billedSeconds: number;
  /** This call's own price: per_call and per_minute only; a budget is priced per period. */
  amountCents: number;
}

/** Integer division rounding half away from zero: the commercial rounding of a cent. */
export function divRound(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0)
    throw new RangeError(`cannot round ${numerator}/${denominator} to a whole cent`);
  const sign = numerator < 0 ? -1 : 1;
  const n = Math.abs(numerator);
  const q = Math.floor(n / denominator);
  return sign * (2 * (n - q * denominator) >= denominator ? q + 1 : q);
}

function wholeSeconds(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be whole seconds ≥ 0, got ${value}`);
  return value;
}

/** Rounds a duration up on the Takt: the first step in full, then each begun following step in full. */
export function applyTakt(seconds: number, takt: Takt): number {
  wholeSeconds(seconds, 'the duration');
  if (seconds === 0) return 0;
  if (seconds <= takt.firstSeconds) return takt.firstSeconds;
  return takt.firstSeconds + Math.ceil((seconds - takt.firstSeconds) / takt.nextSeconds) * takt.nextSeconds;
}

/** The seconds of a call that count under `contract`, before the Takt. */
export function countedSeconds(contract: BillingContract, call: CallDurations): number {
  const talk = wholeSeconds(call.talkSeconds, 'talkSeconds');
  const hold = Math.min(wholeSeconds(call.holdSeconds, 'holdSeconds'), talk);
  const acw = wholeSeconds(call.afterCallWorkSeconds, 'afterCallWorkSeconds');
  const afterCallWork = contract.countAfterCallWork ? Math.min(acw, contract.afterCallWorkCapSeconds ?? acw) : 0;
  return (contract.countHold ? talk : talk - hold) + afterCallWork;
}

/** Cents for `seconds` at a price per minute, rounded to the cent. */
export function minutePrice(seconds: number, centsPerMinute: number): number {
  return divRound(wholeSeconds(seconds, 'seconds') * centsPerMinute, 60);
}

/** One call under `contract`: free or not, counted and billed seconds, and its own price. */
export function meterCall(contract: BillingContract, call: CallDurations): MeteredCall {
  const counted = countedSeconds(contract, call);
  // Free is judged on the connected time alone: after-call work cannot make a wrong number billable.
  if (call.talkSeconds < contract.freeBelowSeconds) {
    return { free: true, countedSeconds: counted, billedSeconds: 0, amountCents: 0 };
  }
  const billed = applyTakt(counted, contract.takt);
  const amountCents =
    contract.model === 'per_call'
      ? contract.perCallCents
      : contract.model === 'per_minute'
        ? minutePrice(billed, contract.perMinuteCents)
        : 0;
  return { free: false, countedSeconds: counted, billedSeconds: billed, amountCents };
}

export interface BudgetUsage {
  includedSeconds: number;
  usedSeconds: number;
  /** Billed seconds beyond the budget. */
  extraSeconds: number;
  /** Whole percent used, rounded down (so 100 means the budget is fully used, not nearly). */
  percent: number;
}

export function budgetUsage(contract: BudgetContract, usedSeconds: number): BudgetUsage {
  const includedSeconds = contract.includedMinutes * 60;
  const used = wholeSeconds(usedSeconds, 'usedSeconds');
  const percent = includedSeconds === 0 ? (used > 0 ? 100 : 0) : Math.floor((used * 100) / includedSeconds);
  return { includedSeconds, usedSeconds: used, extraSeconds: Math.max(0, used - includedSeconds), percent };
}

/** The alert thresholds a period's usage passes when it grows from `beforeSeconds` to `afterSeconds`. */
export function budgetCrossings(contract: BudgetContract, beforeSeconds: number, afterSeconds: number): BudgetAlertPercent[] {
  const before = budgetUsage(contract, beforeSeconds).percent;
  const after = budgetUsage(contract, afterSeconds).percent;
  return BUDGET_ALERT_PERCENTS.filter((threshold) => before < threshold && after >= threshold);
}

export interface Vat {
  netCents: number;
  vatCents: number;
  grossCents: number;
}

/** VAT on a net amount, rounded once on the total (not per line), as an invoice states it. */
export function withVat(netCents: number, vatBasisPoints: number): Vat {
  const vatCents = divRound(netCents * vatBasisPoints, 10_000);
  return { netCents, vatCents, grossCents: netCents + vatCents };
}

export interface PeriodTotal extends Vat {
  calls: number;
  freeCalls: number;
  billedSeconds: number;
  /** Budget contracts only: consumption of the period's budget. */
  budget?: BudgetUsage;
  /** Budget contracts only: the thresholds passed, with the index of the call that passed each. */
  alerts?: { percent: BudgetAlertPercent; callIndex: number }[];
}

/**
 * The total of one billing period's calls under one contract: for a budget, the calls of one week
 * or month of that contract; the caller groups calls into periods and by the contract valid then.
 */
export function periodTotal(contract: BillingContract, calls: readonly CallDurations[]): PeriodTotal {
  const metered = calls.map((call) => meterCall(contract, call));
  const billedSeconds = metered.reduce((sum, m) => sum + m.billedSeconds, 0);
  const base = { calls: calls.length, freeCalls: metered.filter((m) => m.free).length, billedSeconds };
  if (contract.model !== 'budget') {
    const net = metered.reduce((sum, m) => sum + m.amountCents, 0);
    return { ...base, ...withVat(net, contract.vatBasisPoints) };
  }
  const alerts: NonNullable<PeriodTotal['alerts']> = [];
  let used = 0;
  metered.forEach((m, callIndex) => {
    const next = used + m.billedSeconds;
    for (const percent of budgetCrossings(contract, used, next)) alerts.push({ percent, callIndex });
    used = next;
  });
  const budget = budgetUsage(contract, used);
  const net = contract.feeCents + minutePrice(budget.extraSeconds, contract.extraMinuteCents);
  return { ...base, ...withVat(net, contract.vatBasisPoints), budget, alerts };
}
