import { describe, expect, it } from 'vitest';
import type { BudgetContract } from '../../../../protocol/billing-contract.js';
import type { Directory } from '../../../../server/home/directory.js';
import { DbBillingSource } from '../../../../server/metering/billing-source.js';
import { berlinMidnight, budgetPeriod, currentUsage, publishUsage } from '../../../../server/metering/budget-usage.js';
import type { CdrRecord } from '../../../../server/metering/cdr-file.js';
import { insertCdrs } from '../../../../server/metering/cdr-store.js';
import { writeContract } from '../../../../server/metering/contracts.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const directory: Directory = {
  version: 1,
  tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] }],
  users: [{ id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller'], certificates: [] }],
};
const budget: BudgetContract = {
  model: 'budget',
  period: 'month',
  includedMinutes: 10,
  feeCents: 9900,
  extraMinuteCents: 150,
  takt: { firstSeconds: 60, nextSeconds: 60 },
  countHold: true,
  countAfterCallWork: false,
  freeBelowSeconds: 0,
  vatBasisPoints: 1900,
  validFrom: '2026-11-01',
  alertCraftsman: true,
};
const call = (callId: string, atIso: string, talk: number, direction = 'in'): CdrRecord => {
  const invite = Date.parse(atIso) / 1000;
  return {
    start: invite,
    end: invite + talk + 2,
    duration: talk + 2,
    callId,
    direction,
    firmNumber: '+49301234567',
    tenant: 'mueller',
    remoteNumber: '+4917612345678',
    userId: 'alice',
    inviteTs: String(invite),
    answerTs: String(invite + 2),
    endTs: String(invite + 2 + talk),
    mode: null,
  };
};

describe('budget periods in Berlin time', () => {
  it('starts days at Berlin midnight, in winter and summer time', () => {
    expect(berlinMidnight('2026-11-01').toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(berlinMidnight('2026-07-01').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('finds the month, or the week from Monday, that a moment lies in', () => {
    // 23:30 UTC on 30 November is already December in Berlin.
    expect(budgetPeriod(budget, new Date('2026-11-30T23:30:00Z'))).toEqual({
      key: '2026-12',
      from: '2026-12-01',
      to: '2027-01-01',
    });
    expect(budgetPeriod({ ...budget, period: 'week' }, new Date('2026-11-22T12:00:00Z'))).toEqual({
      key: '2026-11-16',
      from: '2026-11-16',
      to: '2026-11-23',
    });
  });
});

describe('a budget firm’s consumption', () => {
  const pglite = migratedPglite('vermittlung-budget-usage-');

  it('sums the billed seconds of the period’s calls and publishes them as a synced record', async () => {
    await writeContract(pglite.db, '1212121212121212', 'mueller', budget);
    await insertCdrs(pglite.db, [
      // October: another period.
      call('old', '2026-10-31T20:00:00Z', 600),
      call('a', '2026-11-03T09:00:00Z', 150),
      call('b', '2026-11-04T09:00:00Z', 175),
      call('c', '2026-11-05T09:00:00Z', 61),
      // On the firm's behalf: this contract does not bill those.
      call('d', '2026-11-05T10:00:00Z', 300, 'out'),
    ]);
    const source = new DbBillingSource(pglite.db, () => directory);
    const usage = await currentUsage(source, 'mueller', new Date('2026-11-20T12:00:00Z'));
    // 180 + 180 + 120 s billed of 600 s included.
    expect(usage).toEqual({ period: '2026-11', usedSeconds: 480, includedSeconds: 600, percent: 80, alertCraftsman: true });
    expect(await publishUsage(pglite.db, '1212121212121212', 'mueller', usage!)).toBe(6);
    expect(await publishUsage(pglite.db, '1212121212121212', 'mueller', usage!)).toBe(0);
    expect(await publishUsage(pglite.db, '1212121212121212', 'mueller', { ...usage!, usedSeconds: 600, percent: 100 })).toBe(2);
    const { rows } = await pglite.db.query<{ field: string; value: unknown }>(
      "SELECT field, value FROM field_state WHERE tbl = 'firm_usage' AND tenant = 'mueller' ORDER BY field",
    );
    expect(Object.fromEntries(rows.map((r) => [r.field, r.value]))).toEqual({
      _deleted: false,
      alert_craftsman: true,
      included_seconds: '600',
      percent: '100',
      period: '2026-11',
      used_seconds: '600',
    });
    expect(await currentUsage(source, 'mueller', new Date('2026-10-20T12:00:00Z'))).toBeUndefined();
  });
});
