/**
 * Billing lines as test data: a BillingSource over fixed arrays (what the metering side's database
 * source answers, without the database), and builders for calls in Berlin wall-clock time.
 */
import type { BillingContract } from '../../protocol/billing-contract.js';
import type { BillingCallLine, BillingItemLine, BillingSource, ContractVersion } from '../../protocol/billing-lines.js';

export interface FixedLines {
  contracts: Record<string, BillingContract[]>;
  calls: BillingCallLine[];
  items: BillingItemLine[];
}

/** A BillingSource answering from `lines`, read at every call so a test can change them between reports. */
export function fixedSource(lines: FixedLines): BillingSource {
  return {
    contracts: (tenantId) =>
      Promise.resolve((lines.contracts[tenantId] ?? []).map((contract): ContractVersion => ({ tenantId, contract }))),
    callLines: (tenantId, fromIso, toIso) =>
      Promise.resolve(
        lines.calls
          .filter((c) => c.tenantId === tenantId && c.startedAt >= fromIso && c.startedAt < toIso)
          .map((c) => ({ ...c })),
      ),
    itemLines: (tenantId, fromDate, toDate) =>
      Promise.resolve(
        lines.items.filter((i) => i.tenantId === tenantId && i.date >= fromDate && i.date < toDate).map((i) => ({ ...i })),
      ),
  };
}

/** A Berlin wall-clock time in winter (UTC+1) as an ISO instant: November to March only. */
export function winterBerlin(date: string, time: string): string {
  const [h, m, s = '0'] = time.split(':');
  const utc = new Date(`${date}T00:00:00Z`);
  utc.setUTCHours(Number(h) - 1, Number(m), Number(s));
  return utc.toISOString();
}

let serial = 0;

/** An answered incoming call; everything not given is plain (no hold, no after-call work, no note). */
export function callLine(
  tenantId: string,
  date: string,
  time: string,
  talkSeconds: number,
  extra: Partial<BillingCallLine> = {},
): BillingCallLine {
  serial += 1;
  return {
    callId: `call-${date}-${time}-${serial}`,
    tenantId,
    direction: 'in',
    startedAt: winterBerlin(date, time),
    remoteNumber: '+4930123456',
    remoteName: null,
    answeredBy: 'anna',
    answeredByName: 'Anna Berger',
    ringSeconds: 5,
    talkSeconds,
    holdSeconds: 0,
    afterCallWorkSeconds: 0,
    appTalkSeconds: talkSeconds,
    noBill: null,
    noteSubject: null,
    ...extra,
  };
}

/** Common contract terms for tests: Takt 60/60, hold counts, no after-call work, no free calls, 19 % VAT. */
export const BASE_TERMS = {
  takt: { firstSeconds: 60, nextSeconds: 60 },
  countHold: true,
  countAfterCallWork: false,
  freeBelowSeconds: 0,
  vatBasisPoints: 1900,
  validFrom: '2026-01-01',
} as const;
