import { describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../../protocol/billing-contract.js';
import type { ContractVersion } from '../../../../protocol/billing-lines.js';
import { computeMonth } from '../../../../server/billing/compute-month.js';
import { BASE_TERMS, callLine } from '../../../helpers/billing-lines.js';
import { SAMPLE_TENANT, TAKT_CASES, taktLines } from '../../../helpers/billing-month.js';

const T = SAMPLE_TENANT;
const versions = (...contracts: BillingContract[]): ContractVersion[] => contracts.map((contract) => ({ tenantId: T, contract }));
const month = (contracts: ContractVersion[], calls: ReturnType<typeof callLine>[], items = []) =>
  computeMonth({ tenantId: T, tenantName: 'Malerbetrieb Schmidt', month: '2026-11', contracts, calls, items });

describe('the month per Takt (1,20 €/min, free below 5 s, 19 % VAT)', () => {
  for (const c of TAKT_CASES) {
    it(`${c.takt.firstSeconds}/${c.takt.nextSeconds}`, () => {
      const lines = taktLines(c.takt);
      const report = month(versions(...lines.contracts[T]!), lines.calls);
      expect(report.calls.map((l) => l.billedSeconds)).toEqual(c.billed);
      expect(report.calls.map((l) => l.status)).toEqual(['billed', 'free', 'billed', 'billed', 'billed']);
      expect(report.calls.map((l) => l.amountCents)).toEqual(c.billed.map((s) => Math.round((s * 120) / 60)));
      expect(report.totals).toMatchObject({
        billedCalls: 4,
        freeCalls: 1,
        netCents: c.net,
        vatCents: c.vat,
        grossCents: c.gross,
      });
      expect(report.byKind).toEqual([
        { kind: 'calls_in', quantity: 4, billedSeconds: c.billed.reduce((a, b) => a + b, 0), netCents: c.net },
      ]);
    });
  }
});

describe('a contract change in the middle of the month', () => {
  const budget: BillingContract = {
    model: 'budget',
    period: 'month',
    includedMinutes: 10,
    feeCents: 9900,
    extraMinuteCents: 150,
    ...BASE_TERMS,
    validFrom: '2026-10-01',
  };
  const perCall: BillingContract = {
    model: 'per_call',
    perCallCents: 150,
    ...BASE_TERMS,
    freeBelowSeconds: 10,
    validFrom: '2026-11-16',
  };
  const report = month(versions(perCall, budget), [
    callLine(T, '2026-11-03', '09:15', 240),
    callLine(T, '2026-11-10', '14:02', 150),
    callLine(T, '2026-11-15', '23:59:30', 61),
    callLine(T, '2026-11-20', '08:00', 45),
    callLine(T, '2026-11-20', '08:30', 8),
    callLine(T, '2026-11-21', '11:11', 300),
  ]);

  it('prices each call under the terms valid on its Berlin day', () => {
    expect(report.sections.map((s) => [s.contract.model, s.from, s.to])).toEqual([
      ['budget', '2026-11-01', '2026-11-16'],
      ['per_call', '2026-11-16', '2026-12-01'],
    ]);
    expect(report.calls.map((c) => [c.section, c.status, c.billedSeconds, c.amountCents])).toEqual([
      [0, 'billed', 240, 0],
      [0, 'billed', 180, 0],
      [0, 'billed', 120, 0],
      [1, 'billed', 60, 150],
      [1, 'free', 0, 0],
      [1, 'billed', 300, 150],
    ]);
  });

  it('gives the budget part of the month its share of fee and minutes (15 of 30 days)', () => {
    // 99,00 € × 15/30 = 49,50 €; 10 min × 15/30 = 5 min; used 240 + 180 + 120 = 540 s, 240 s beyond: 4 × 1,50 €.
    expect(report.sections[0]!.periods).toEqual([
      {
        from: '2026-11-01',
        to: '2026-11-16',
        days: 15,
        fullDays: 30,
        includedSeconds: 300,
        usedSeconds: 540,
        extraSeconds: 240,
        percent: 180,
        feeCents: 4950,
        extraCents: 600,
      },
    ]);
    expect(report.sections.map((s) => [s.netCents, s.vatCents, s.grossCents])).toEqual([
      [5550, 1055, 6605],
      [300, 57, 357],
    ]);
    expect(report.totals).toMatchObject({ netCents: 5850, vatCents: 1112, grossCents: 6962 });
    expect(report.byKind.map((k) => [k.kind, k.quantity, k.billedSeconds, k.netCents])).toEqual([
      ['calls_in', 5, 900, 300],
      ['budget_fee', 1, 0, 4950],
      ['budget_extra', 1, 240, 600],
    ]);
  });
});

describe('weekly budgets', () => {
  it('cuts the weeks at the month: 1 November 2026 is a Sunday, so the first week has one day', () => {
    const weekly: BillingContract = {
      model: 'budget',
      period: 'week',
      includedMinutes: 60,
      feeCents: 2000,
      extraMinuteCents: 100,
      ...BASE_TERMS,
    };
    const report = month(versions(weekly), [callLine(T, '2026-11-01', '12:00', 600)]);
    const periods = report.sections[0]!.periods;
    expect(periods.map((p) => [p.from, p.to, p.days])).toEqual([
      ['2026-11-01', '2026-11-02', 1],
      ['2026-11-02', '2026-11-09', 7],
      ['2026-11-09', '2026-11-16', 7],
      ['2026-11-16', '2026-11-23', 7],
      ['2026-11-23', '2026-11-30', 7],
      ['2026-11-30', '2026-12-01', 1],
    ]);
    // One day of seven: 20,00 € / 7 = 2,857… → 2,86 €; 60 min / 7 = 8,57 → 9 min; 600 s used, 60 s extra.
    expect(periods[0]).toMatchObject({
      feeCents: 286,
      includedSeconds: 540,
      usedSeconds: 600,
      extraSeconds: 60,
      extraCents: 100,
    });
    expect(report.totals.netCents).toBe(286 + 100 + 4 * 2000 + 286);
  });
});

describe('hold, after-call work, "nicht berechnen" and deviations', () => {
  const contract: BillingContract = {
    model: 'per_minute',
    perMinuteCents: 60,
    ...BASE_TERMS,
    takt: { firstSeconds: 1, nextSeconds: 1 },
    countHold: false,
    countAfterCallWork: true,
    afterCallWorkCapSeconds: 30,
  };
  const report = month(versions(contract), [
    callLine(T, '2026-11-04', '10:00', 90, { holdSeconds: 40, afterCallWorkSeconds: 100, appTalkSeconds: 95 }),
    callLine(T, '2026-11-04', '11:00', 61, { afterCallWorkSeconds: 10, appTalkSeconds: 63 }),
    callLine(T, '2026-11-05', '12:00', 600, { noBill: { reason: 'Spam', confirmedBy: 'lea' } }),
    callLine(T, '2026-11-05', '12:30', 120, { noBill: { reason: 'falsch verbunden', confirmedBy: null } }),
    callLine(T, '2026-11-06', '07:00', 0, { answeredBy: null, answeredByName: null, appTalkSeconds: null }),
  ]);

  it('counts talk without hold plus after-call work up to the cap', () => {
    // 90 − 40 + min(100, 30) = 80 s → 0,80 €; 61 + 10 = 71 s → 0,71 €.
    expect(report.calls.map((c) => [c.countedSeconds, c.billedSeconds, c.amountCents])).toEqual([
      [80, 80, 80],
      [71, 71, 71],
      [600, 0, 0],
      [120, 0, 0],
      [0, 0, 0],
    ]);
    expect(report.totals).toMatchObject({ netCents: 151, vatCents: 29, grossCents: 180, noBillCalls: 2, answered: 4, calls: 5 });
  });

  it('shows "nicht berechnen" lines, confirmed or not, without billing them', () => {
    expect(report.calls.map((c) => c.status)).toEqual(['billed', 'billed', 'no_bill', 'no_bill', 'unanswered']);
    expect(report.calls[2]!.noBill).toEqual({ reason: 'Spam', confirmedBy: 'lea' });
  });

  it('flags a line only where app and PBX differ by more than 2 s', () => {
    expect(report.calls.map((c) => c.deviationSeconds)).toEqual([5, null, null, null, null]);
    expect(report.totals.flaggedCalls).toBe(1);
  });
});

describe('items and days without a contract', () => {
  it('prices appointments at their unit price and bills nothing before the first contract', () => {
    const contract: BillingContract = { model: 'per_call', perCallCents: 200, ...BASE_TERMS, validFrom: '2026-11-10' };
    const report = computeMonth({
      tenantId: T,
      tenantName: 'Malerbetrieb Schmidt',
      month: '2026-11',
      contracts: versions(contract),
      calls: [callLine(T, '2026-11-09', '10:00', 100), callLine(T, '2026-11-10', '10:00', 100)],
      items: [
        {
          id: 'a1',
          tenantId: T,
          date: '2026-11-09',
          kind: 'appointment',
          description: 'Termin Müller',
          quantity: 1,
          unitCents: 500,
        },
        {
          id: 'a2',
          tenantId: T,
          date: '2026-11-12',
          kind: 'appointment',
          description: 'Termin Weber',
          quantity: 2,
          unitCents: 500,
        },
      ],
    });
    expect(report.calls.map((c) => [c.status, c.amountCents])).toEqual([
      ['no_contract', 0],
      ['billed', 200],
    ]);
    expect(report.items.map((i) => [i.section, i.amountCents])).toEqual([
      [-1, 0],
      [0, 1000],
    ]);
    expect(report.totals).toMatchObject({ netCents: 1200, vatCents: 228, grossCents: 1428 });
    expect(report.byKind.find((k) => k.kind === 'appointment')).toEqual({
      kind: 'appointment',
      quantity: 2,
      billedSeconds: 0,
      netCents: 1000,
    });
  });
});
