import { describe, expect, it } from 'vitest';
import {
  BUNDESLAENDER,
  Bundesland,
  Closure,
  DayRanges,
  FirmSchedule,
  IsoDate,
  Override,
  TimeRange,
  WallTime,
} from '../../../protocol/firm-day.js';

/** The messages zod reports for `input`, so a test can check the reason, not only the refusal. */
function messages(
  schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } },
  input: unknown,
) {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error!.issues.map((i) => i.message);
}

describe('firm schedule schemas', () => {
  it('knows all 16 states and nothing else', () => {
    expect(new Set(BUNDESLAENDER).size).toBe(16);
    expect(Bundesland.safeParse('BY').success).toBe(true);
    expect(Bundesland.safeParse('DE').success).toBe(false);
  });

  it('accepts wall-clock times up to 24:00', () => {
    for (const ok of ['00:00', '08:30', '23:59', '24:00']) expect(WallTime.safeParse(ok).success).toBe(true);
    for (const bad of ['8:00', '24:01', '25:00', '12:60', '12:00:00', '']) expect(WallTime.safeParse(bad).success).toBe(false);
  });

  it('refuses a range that does not start before it ends, naming it', () => {
    expect(messages(TimeRange, { start: '12:00', end: '08:00' })).toEqual([
      'range 12:00–08:00: start must be before end (split a range over midnight at 24:00)',
    ]);
    expect(messages(TimeRange, { start: '08:00', end: '08:00' })).toHaveLength(1);
    expect(TimeRange.safeParse({ start: '22:00', end: '24:00' }).success).toBe(true);
  });

  it('refuses overlapping ranges within a day, naming both, and allows touching ones', () => {
    expect(
      messages(DayRanges, [
        { start: '13:00', end: '17:00' },
        { start: '08:00', end: '13:30' },
      ]),
    ).toEqual(['ranges 08:00–13:30 and 13:00–17:00 overlap']);
    expect(
      DayRanges.safeParse([
        { start: '08:00', end: '12:00' },
        { start: '12:00', end: '16:00' },
      ]).success,
    ).toBe(true);
  });

  it('checks closure dates exist and are in order', () => {
    expect(IsoDate.safeParse('2026-02-30').success).toBe(false);
    expect(IsoDate.safeParse('2028-02-29').success).toBe(true);
    expect(messages(Closure, { from: '2026-08-10', to: '2026-08-01', reason: 'Betriebsurlaub' })).toEqual([
      'closure 2026-08-10 – 2026-08-01: the first day must not be after the last',
    ]);
    expect(messages(Closure, { from: '2026-08-01', to: '2026-08-01', reason: '  ' })).toEqual(['a closure needs a reason']);
  });

  it('takes an override with an instant or "bis auf Weiteres"', () => {
    expect(Override.safeParse({ mode: 'closed', until: null }).success).toBe(true);
    expect(Override.safeParse({ mode: 'consultation', until: '2026-12-08T12:00:00+01:00' }).success).toBe(true);
    expect(Override.safeParse({ mode: 'consultation', until: '12:00' }).success).toBe(false);
    expect(Override.safeParse({ mode: 'open', until: null }).success).toBe(false);
  });

  it('fills defaults and points at the weekday of a bad range', () => {
    const parsed = FirmSchedule.parse({ bundesland: 'SN', consultation: { tue: [{ start: '09:00', end: '12:00' }] } });
    expect(parsed).toMatchObject({ service: null, closures: [], emergency: null, override: null });
    expect(parsed.consultation.mon).toEqual([]);
    const bad = FirmSchedule.safeParse({ bundesland: 'SN', consultation: { fri: [{ start: '18:00', end: '09:00' }] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['consultation', 'fri', 0]);
  });

  it('refuses a Notdienst number that is not a phone number', () => {
    const base = { bundesland: 'HH', consultation: {} };
    expect(FirmSchedule.safeParse({ ...base, emergency: { number: '+49 40 123456', hours: {} } }).success).toBe(true);
    expect(FirmSchedule.safeParse({ ...base, emergency: { number: 'sip:evil@x', hours: {} } }).success).toBe(false);
  });
});
