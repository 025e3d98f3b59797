/**
 * One firm's November 2026 with figures worked out by hand (docs/billing.md walks through the same
 * month): a budget contract until the 15th, per minute from the 16th, a spam call, hold and
 * after-call work, a free call, a deviation of app and PBX, a callback on the firm's behalf, an
 * unanswered call and an appointment. The PDF, CSV, freezing and HTTP tests all read this month.
 */
import type { BillingContract, Takt } from '../../protocol/billing-contract.js';
import { BASE_TERMS, callLine, type FixedLines } from './billing-lines.js';

export const SAMPLE_TENANT = 'maler-schmidt';
export const SAMPLE_TENANT_NAME = 'Malerbetrieb Schmidt';
export const SAMPLE_MONTH = '2026-11';

export const SAMPLE_BUDGET: BillingContract = {
  model: 'budget',
  period: 'month',
  includedMinutes: 10,
  feeCents: 9900,
  extraMinuteCents: 150,
  ...BASE_TERMS,
  validFrom: '2026-10-01',
};

export const SAMPLE_PER_MINUTE: BillingContract = {
  model: 'per_minute',
  perMinuteCents: 120,
  ...BASE_TERMS,
  takt: { firstSeconds: 60, nextSeconds: 10 },
  countHold: false,
  countAfterCallWork: true,
  afterCallWorkCapSeconds: 30,
  freeBelowSeconds: 5,
  validFrom: '2026-11-16',
};

const T = SAMPLE_TENANT;

/** Fresh lines each time: tests change them to play late-synced edits. */
export function sampleLines(): FixedLines {
  return {
    contracts: { [T]: [SAMPLE_BUDGET, SAMPLE_PER_MINUTE] },
    calls: [
      callLine(T, '2026-11-03', '09:15', 240, {
        callId: 'c1',
        remoteName: 'Frau Müller',
        remoteNumber: '+4930111',
        noteSubject: 'Angebot Fassade',
      }),
      callLine(T, '2026-11-10', '14:02', 150, { callId: 'c2', holdSeconds: 30, noteSubject: 'Rückruf erbeten' }),
      callLine(T, '2026-11-12', '10:00', 600, { callId: 'c3', noBill: { reason: 'Spam', confirmedBy: 'lea' } }),
      callLine(T, '2026-11-15', '23:59:30', 61, { callId: 'c4' }),
      callLine(T, '2026-11-17', '08:00', 90, { callId: 'c5', holdSeconds: 40, afterCallWorkSeconds: 100, appTalkSeconds: 95 }),
      callLine(T, '2026-11-18', '09:30', 4, { callId: 'c6' }),
      callLine(T, '2026-11-20', '11:11', 125, {
        callId: 'c7',
        afterCallWorkSeconds: 10,
        answeredBy: 'ben',
        answeredByName: 'Ben Kurz',
      }),
      callLine(T, '2026-11-24', '16:45', 61, {
        callId: 'c8',
        direction: 'out',
        remoteNumber: '+4930222',
        noteSubject: 'Rückruf Termin',
      }),
      callLine(T, '2026-11-25', '12:00', 0, { callId: 'c9', answeredBy: null, answeredByName: null, appTalkSeconds: null }),
    ],
    items: [
      {
        id: 'a1',
        tenantId: T,
        date: '2026-11-26',
        kind: 'appointment',
        description: 'Termin Weber: Angebot Bad',
        quantity: 1,
        unitCents: 500,
      },
    ],
  };
}

/**
 * Budget part (1.–15.): 240 + 180 + 120 = 540 s used of 5 min (half of 10), 4 extra minutes × 1,50 € =
 * 6,00 € + half the fee 49,50 € = 55,50 €, VAT 10,545 → 10,55 €. Per minute (16.–30., 60/10):
 * c5 50 s + 30 s capped work = 80 s → 1,60 €; c6 free; c7 135 s → 140 s → 2,80 €; c8 61 s → 70 s →
 * 1,40 €; the appointment 5,00 €: 10,80 €, VAT 2,052 → 2,05 €.
 */
export const SAMPLE_EXPECTED = {
  billedSeconds: [240, 180, 0, 120, 80, 0, 140, 70, 0],
  amountCents: [0, 0, 0, 0, 160, 0, 280, 140, 0],
  status: ['billed', 'billed', 'no_bill', 'billed', 'billed', 'free', 'billed', 'billed', 'unanswered'],
  netCents: 6630,
  vatCents: 1260,
  grossCents: 7890,
  byKind: [
    ['calls_in', 5, 760, 440],
    ['calls_out', 1, 70, 140],
    ['budget_fee', 1, 0, 4950],
    ['budget_extra', 1, 240, 600],
    ['appointment', 1, 0, 500],
  ],
} as const;

/**
 * The same five calls under each common Takt at 1,20 €/min, free below 5 s, 19 % VAT: connected 61 s,
 * 4 s (free), 200 s, 30 s and 125 s; every figure worked out by hand.
 */
export const TAKT_TALKS = [61, 4, 200, 30, 125] as const;
export const TAKT_CASES: { takt: Takt; billed: number[]; net: number; vat: number; gross: number }[] = [
  { takt: { firstSeconds: 60, nextSeconds: 60 }, billed: [120, 0, 240, 60, 180], net: 1200, vat: 228, gross: 1428 },
  { takt: { firstSeconds: 30, nextSeconds: 30 }, billed: [90, 0, 210, 30, 150], net: 960, vat: 182, gross: 1142 },
  { takt: { firstSeconds: 60, nextSeconds: 10 }, billed: [70, 0, 200, 60, 130], net: 920, vat: 175, gross: 1095 },
  { takt: { firstSeconds: 1, nextSeconds: 1 }, billed: [61, 0, 200, 30, 125], net: 832, vat: 158, gross: 990 },
  { takt: { firstSeconds: 6, nextSeconds: 6 }, billed: [66, 0, 204, 30, 126], net: 852, vat: 162, gross: 1014 },
];

export function taktLines(takt: Takt): FixedLines {
  const contract: BillingContract = { model: 'per_minute', perMinuteCents: 120, ...BASE_TERMS, takt, freeBelowSeconds: 5 };
  return {
    contracts: { [T]: [contract] },
    calls: TAKT_TALKS.map((talk, i) => callLine(T, `2026-11-${String(2 + i).padStart(2, '0')}`, '10:00', talk)),
    items: [],
  };
}
