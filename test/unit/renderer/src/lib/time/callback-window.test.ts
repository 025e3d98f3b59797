import { describe, expect, it } from 'vitest';
import { describeCallbackDue, parseCallbackWindow } from '../../../../../../renderer/src/lib/time/callback-window.js';

// Sunday 6 December 2026, 10:00 in Berlin (UTC+1).
const NOW = Date.parse('2026-12-06T09:00:00.000Z');
const due = (text: string) => {
  const parsed = parseCallbackWindow(text, NOW);
  return parsed.ok ? parsed.due : undefined;
};

describe('callback windows as typed in German', () => {
  it('reads days and times relative to now, in Berlin time', () => {
    expect(due('heute bis 16 Uhr')).toBe('2026-12-06T15:00:00.000Z');
    expect(due('Heute, bis 16:30')).toBe('2026-12-06T15:30:00.000Z');
    expect(due('bis 16')).toBe('2026-12-06T15:00:00.000Z');
    expect(due('morgen 10 Uhr')).toBe('2026-12-07T09:00:00.000Z');
    expect(due('übermorgen bis 9.15')).toBe('2026-12-08T08:15:00.000Z');
    expect(due('Freitag bis 12 Uhr')).toBe('2026-12-11T11:00:00.000Z');
    expect(due('Fr bis 12')).toBe('2026-12-11T11:00:00.000Z');
    expect(due('15.12. 9 Uhr')).toBe('2026-12-15T08:00:00.000Z');
    expect(due('15.12.2027 9:00')).toBe('2027-12-15T08:00:00.000Z');
    // A bare time already past today means tomorrow.
    expect(due('8 Uhr')).toBe('2026-12-07T07:00:00.000Z');
  });

  it('refuses what it cannot read', () => {
    for (const text of ['', 'irgendwann', 'heute bis 25 Uhr', '31.02. 9 Uhr', 'Blautag 9']) expect(due(text)).toBeUndefined();
  });

  it('says the due time as the craftsman reads it', () => {
    expect(describeCallbackDue('2026-12-06T15:00:00.000Z', NOW)).toBe('heute bis 16 Uhr');
    expect(describeCallbackDue('2026-12-07T09:30:00.000Z', NOW)).toBe('morgen bis 10:30 Uhr');
    expect(describeCallbackDue('2026-12-11T11:00:00.000Z', NOW)).toBe('Fr., 11.12. bis 12 Uhr');
  });
});
