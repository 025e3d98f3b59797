import { describe, expect, it } from 'vitest';
import type { FirmUsage } from '../../../../../protocol/index.js';
import { alertsFor } from '../../../../../renderer/src/lib/budget-alerts.js';

const usage = (tenant: string, percent: number, alertCraftsman = false): FirmUsage => ({
  tenant,
  period: '2026-11',
  usedSeconds: percent * 6,
  includedSeconds: 600,
  percent,
  alertCraftsman,
});

describe('budget alerts', () => {
  it('tells the lead of every firm at 80 % and at 100 %, the highest threshold reached only', () => {
    expect(alertsFor([usage('a', 79), usage('b', 80), usage('c', 130)], 'lead', [])).toEqual([
      { key: 'b/2026-11/80', tenant: 'b', percent: 80, used: 80 },
      { key: 'c/2026-11/100', tenant: 'c', percent: 100, used: 130 },
    ]);
  });

  it('tells a craftsman only when his contract says so, and a teleworker never', () => {
    expect(alertsFor([usage('a', 90, false)], 'craftsman', [])).toEqual([]);
    expect(alertsFor([usage('a', 90, true)], 'craftsman', []).map((a) => a.key)).toEqual(['a/2026-11/80']);
    expect(alertsFor([usage('a', 100, true)], 'teleworker', [])).toEqual([]);
  });

  it('shows each firm, period and threshold once: dismissed is dismissed, 100 % is news after 80 %', () => {
    const shown = ['a/2026-11/80'];
    expect(alertsFor([usage('a', 95)], 'lead', shown)).toEqual([]);
    expect(alertsFor([usage('a', 100)], 'lead', shown).map((a) => a.key)).toEqual(['a/2026-11/100']);
    expect(alertsFor([{ ...usage('a', 85), period: '2026-12' }], 'lead', shown).map((a) => a.key)).toEqual(['a/2026-12/80']);
  });
});
