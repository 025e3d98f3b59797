import { describe, expect, it } from 'vitest';
import {
  BillingContract,
  BudgetContract,
  PerCallContract,
  PerMinuteContract,
  type Takt,
} from '../../../protocol/billing-contract.js';
import {
  applyTakt,
  budgetCrossings,
  budgetUsage,
  divRound,
  meterCall,
  minutePrice,
  periodTotal,
  withVat,
  type CallDurations,
} from '../../../protocol/billing-units.js';

const takt = (firstSeconds: number, nextSeconds: number): Takt => ({ firstSeconds, nextSeconds });
const call = (talkSeconds: number, holdSeconds = 0, afterCallWorkSeconds = 0): CallDurations => ({
  talkSeconds,
  holdSeconds,
  afterCallWorkSeconds,
});
const terms = {
  takt: takt(60, 60),
  countHold: true,
  countAfterCallWork: false,
  freeBelowSeconds: 0,
  vatBasisPoints: 1900,
  validFrom: '2026-11-01',
};
const perMinute = PerMinuteContract.parse({ model: 'per_minute', perMinuteCents: 120, ...terms });
const perCall = PerCallContract.parse({ model: 'per_call', perCallCents: 250, ...terms });
const budget = BudgetContract.parse({
  model: 'budget',
  period: 'month',
  includedMinutes: 10,
  feeCents: 9900,
  extraMinuteCents: 150,
  ...terms,
});

describe('the Takt', () => {
  it('bills the worked examples of docs/billing.md', () => {
    expect(applyTakt(61, takt(60, 60))).toBe(120);
    expect(applyTakt(61, takt(60, 10))).toBe(70);
    expect(applyTakt(61, takt(30, 30))).toBe(90);
    expect(applyTakt(61, takt(1, 1))).toBe(61);
    expect(applyTakt(61, takt(6, 6))).toBe(66);
  });

  it('bills the first step in full, each begun following step in full, and nothing for no time', () => {
    expect(applyTakt(0, takt(60, 10))).toBe(0);
    expect(applyTakt(1, takt(60, 10))).toBe(60);
    expect(applyTakt(60, takt(60, 10))).toBe(60);
    expect(applyTakt(70, takt(60, 10))).toBe(70);
    expect(applyTakt(71, takt(60, 10))).toBe(80);
    expect(applyTakt(120, takt(60, 60))).toBe(120);
    expect(applyTakt(121, takt(60, 60))).toBe(180);
  });

  it('refuses a duration that is not whole seconds ≥ 0', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => applyTakt(bad, takt(60, 60))).toThrow(RangeError);
  });
});

describe('one call', () => {
  it('is free when connected for less than freeBelowSeconds, whatever its after-call work', () => {
    const free5 = { ...perMinute, freeBelowSeconds: 5, countAfterCallWork: true };
    expect(meterCall(free5, call(4, 0, 300))).toMatchObject({ free: true, billedSeconds: 0, amountCents: 0 });
    expect(meterCall(free5, call(5))).toMatchObject({ free: false, billedSeconds: 60, amountCents: 120 });
    expect(meterCall({ ...perCall, freeBelowSeconds: 5 }, call(4))).toMatchObject({ free: true, amountCents: 0 });
  });

  it('subtracts hold time only when hold does not count', () => {
    expect(meterCall(perMinute, call(90, 40))).toMatchObject({ countedSeconds: 90, billedSeconds: 120 });
    expect(meterCall({ ...perMinute, countHold: false }, call(90, 40))).toMatchObject({ countedSeconds: 50, billedSeconds: 60 });
    // A hold longer than the call (clocks of app and PBX differ) never makes the time negative.
    expect(meterCall({ ...perMinute, countHold: false }, call(30, 45)).countedSeconds).toBe(0);
  });

  it('adds after-call work only when it counts, and at most the cap', () => {
    const acw = { ...perMinute, takt: takt(1, 1), countAfterCallWork: true };
    expect(meterCall(perMinute, call(61, 0, 100)).countedSeconds).toBe(61);
    expect(meterCall(acw, call(61, 0, 100)).countedSeconds).toBe(161);
    expect(meterCall({ ...acw, afterCallWorkCapSeconds: 30 }, call(61, 0, 100)).countedSeconds).toBe(91);
    expect(meterCall({ ...acw, afterCallWorkCapSeconds: 0 }, call(61, 0, 100)).countedSeconds).toBe(61);
  });

  it('prices per minute on the billed seconds, to the cent, and per call flat', () => {
    expect(meterCall({ ...perMinute, takt: takt(60, 10) }, call(61))).toMatchObject({ billedSeconds: 70, amountCents: 140 });
    // 70 s at 1.00 €/min = 116.67 ct → 117 ct
    expect(meterCall({ ...perMinute, perMinuteCents: 100, takt: takt(60, 10) }, call(61)).amountCents).toBe(117);
    expect(meterCall(perCall, call(600))).toMatchObject({ billedSeconds: 600, amountCents: 250 });
    expect(meterCall(budget, call(61)).amountCents).toBe(0);
  });
});

describe('a budget', () => {
  it('reports consumption in whole percent and the seconds beyond it', () => {
    expect(budgetUsage(budget, 0)).toEqual({ includedSeconds: 600, usedSeconds: 0, extraSeconds: 0, percent: 0 });
    expect(budgetUsage(budget, 479).percent).toBe(79);
    expect(budgetUsage(budget, 480).percent).toBe(80);
    expect(budgetUsage(budget, 599).percent).toBe(99);
    expect(budgetUsage(budget, 720)).toEqual({ includedSeconds: 600, usedSeconds: 720, extraSeconds: 120, percent: 120 });
    expect(budgetUsage({ ...budget, includedMinutes: 0 }, 60).percent).toBe(100);
  });

  it('passes 80 % and 100 % once each, on the call that reaches them', () => {
    expect(budgetCrossings(budget, 420, 479)).toEqual([]);
    expect(budgetCrossings(budget, 420, 480)).toEqual([80]);
    expect(budgetCrossings(budget, 480, 540)).toEqual([]);
    expect(budgetCrossings(budget, 540, 600)).toEqual([100]);
    expect(budgetCrossings(budget, 0, 660)).toEqual([80, 100]);
    expect(budgetCrossings(budget, 600, 900)).toEqual([]);
  });

  it('bills a month: the worked example of docs/billing.md', () => {
    // 10 included minutes for 99.00 €, 1.50 € per extra minute, Takt 60/60, no free calls:
    // 3 + 3 + 2 + 2 + 1 + 2 = 13 minutes, 3 beyond the budget = 4.50 €; 19 % VAT on 103.50 € = 19.665 → 19.67 €.
    const month = [call(150), call(175), call(61), call(100), call(4), call(110)];
    const total = periodTotal(budget, month);
    expect(total.billedSeconds).toBe(780);
    expect(total.budget).toEqual({ includedSeconds: 600, usedSeconds: 780, extraSeconds: 180, percent: 130 });
    // 180 + 180 + 120 = 480 s: the third call reaches 80 %; the fourth (600 s) reaches 100 %.
    expect(total.alerts).toEqual([
      { percent: 80, callIndex: 2 },
      { percent: 100, callIndex: 3 },
    ]);
    expect(total).toMatchObject({ calls: 6, freeCalls: 0, netCents: 9900 + 450, vatCents: 1967, grossCents: 12317 });
  });

  it('tells 80 % apart from 100 % when calls reach them one by one, and free calls count for nothing', () => {
    const free = { ...budget, freeBelowSeconds: 5 };
    const total = periodTotal(free, [call(240), call(4), call(240), call(60), call(60)]);
    expect(total.alerts).toEqual([
      { percent: 80, callIndex: 2 },
      { percent: 100, callIndex: 4 },
    ]);
    expect(total).toMatchObject({ freeCalls: 1, billedSeconds: 600, netCents: 9900 });
  });
});

describe('a period under a unit price', () => {
  it('sums the calls’ own prices and adds VAT once on the total', () => {
    const total = periodTotal({ ...perMinute, takt: takt(60, 10), freeBelowSeconds: 5 }, [call(61), call(4), call(200)]);
    // 70 s → 140 ct; free; 200 s → 60 + 14×10 = 200 s → 400 ct
    expect(total).toMatchObject({ calls: 3, freeCalls: 1, billedSeconds: 270, netCents: 540, vatCents: 103, grossCents: 643 });
    expect(periodTotal(perCall, [call(10), call(1000)])).toMatchObject({ netCents: 500, vatCents: 95, grossCents: 595 });
  });
});

describe('money', () => {
  it('rounds half a cent away from zero, in integers only', () => {
    expect(divRound(5, 10)).toBe(1);
    expect(divRound(4, 10)).toBe(0);
    expect(divRound(-5, 10)).toBe(-1);
    expect(divRound(15, 10)).toBe(2);
    expect(() => divRound(1.5, 10)).toThrow(RangeError);
    expect(() => divRound(1, 0)).toThrow(RangeError);
  });

  it('states VAT on a net amount, 7 % and none as well', () => {
    expect(withVat(10350, 1900)).toEqual({ netCents: 10350, vatCents: 1967, grossCents: 12317 });
    expect(withVat(1000, 700)).toEqual({ netCents: 1000, vatCents: 70, grossCents: 1070 });
    expect(withVat(1000, 0)).toEqual({ netCents: 1000, vatCents: 0, grossCents: 1000 });
    expect(withVat(-250, 1900)).toEqual({ netCents: -250, vatCents: -48, grossCents: -298 });
    expect(minutePrice(30, 150)).toBe(75);
  });
});

describe('the contract schema', () => {
  it('refuses a model without its price, money that is not whole cents, and a Takt of 0', () => {
    expect(BillingContract.safeParse({ model: 'per_call', ...terms }).success).toBe(false);
    expect(BillingContract.safeParse({ model: 'per_minute', perMinuteCents: 1.5, ...terms }).success).toBe(false);
    expect(BillingContract.safeParse({ ...perCall, takt: takt(0, 60) }).success).toBe(false);
    expect(BillingContract.safeParse({ ...perCall, vatBasisPoints: 19.5 }).success).toBe(false);
    expect(BillingContract.safeParse({ ...perCall, validFrom: '2026-13-01' }).success).toBe(false);
    expect(BillingContract.safeParse({ ...budget, period: 'year' }).success).toBe(false);
    expect(BillingContract.safeParse({ ...perCall, model: 'flat' }).success).toBe(false);
    expect(BillingContract.parse(budget)).toEqual(budget);
  });
});
