import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { BUNDESLAENDER, FirmSchedule, type FirmScheduleInput, type WeeklyHours } from '../../../protocol/firm-day.js';
import { firmModeAt, firmTimeline, holidaysOf } from '../../../protocol/firm-mode.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const week = (ranges: Partial<Record<keyof WeeklyHours, [string, string][]>>): WeeklyHours => {
  const day = (k: keyof WeeklyHours) => (ranges[k] ?? []).map(([start, end]) => ({ start, end }));
  return {
    mon: day('mon'),
    tue: day('tue'),
    wed: day('wed'),
    thu: day('thu'),
    fri: day('fri'),
    sat: day('sat'),
    sun: day('sun'),
  };
};
const workdays = (start: string, end: string) =>
  week({ mon: [[start, end]], tue: [[start, end]], wed: [[start, end]], thu: [[start, end]], fri: [[start, end]] });
const OFFICE = workdays('08:00', '18:00');
const schedule = (input: Partial<FirmScheduleInput> = {}) =>
  FirmSchedule.parse({ bundesland: 'NW', consultation: week({ tue: [['09:00', '12:00']] }), ...input });

/**
 * Where the two libraries knowingly differ: Mariä Himmelfahrt is public only in Bavaria's Catholic-majority
 * municipalities (most of them, Munich and Augsburg included); feiertagejs counts it for BY, date-holidays
 * only for those municipalities. Closing the firm is the safer reading for the router.
 */
const KNOWN_EXTRA: Partial<Record<string, string[]>> = { BY: ['08-15'] };

describe('public holidays per Bundesland', () => {
  for (const state of BUNDESLAENDER) {
    for (const year of [2026, 2027]) {
      it(`${state} ${year} matches date-holidays' public holidays`, () => {
        const reference = new Holidays('DE', state)
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10))
          .concat((KNOWN_EXTRA[state] ?? []).map((day) => `${year}-${day}`));
        expect([...holidaysOf(state, year).keys()].sort()).toEqual([...new Set(reference)].sort());
      });
    }
  }

  it('does not depend on the process time zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect([...holidaysOf('HH', 2031).keys()]).toContain('2031-01-01');
      expect([...holidaysOf('HH', 2031).keys()]).not.toContain('2031-01-02');
    } finally {
      process.env.TZ = saved;
    }
  });

  it('includes the state-only days', () => {
    expect(holidaysOf('BY', 2026).get('2026-06-04')).toBe('Fronleichnam');
    expect(holidaysOf('NI', 2026).has('2026-10-31')).toBe(true);
    expect(holidaysOf('SN', 2026).has('2026-11-18')).toBe(true);
    expect(holidaysOf('TH', 2026).has('2026-09-20')).toBe(true);
    expect(holidaysOf('BE', 2026).has('2026-03-08')).toBe(true);
    expect(holidaysOf('MV', 2027).has('2027-03-08')).toBe(true);
    expect(holidaysOf('NW', 2026).has('2026-10-31')).toBe(false);
  });
});

describe('weekly schedule', () => {
  it('is in consultation inside the range, service in office hours, closed outside', () => {
    const s = schedule();
    // Tuesday 8 Dec 2026, CET (UTC+1)
    expect(firmModeAt(s, OFFICE, at('2026-12-08T08:30:00Z'))).toMatchObject({
      mode: 'consultation',
      reason: { kind: 'consultation_hours' },
      until: at('2026-12-08T11:00:00Z'),
    });
    expect(firmModeAt(s, OFFICE, at('2026-12-08T07:30:00Z')).mode).toBe('service');
    const evening = firmModeAt(s, OFFICE, at('2026-12-08T17:30:00Z'));
    expect(evening).toMatchObject({ mode: 'closed', reason: { kind: 'outside_hours' } });
    expect(iso(evening.until)).toBe('2026-12-09T07:00:00.000Z');
  });

  it('lists the mode changes of the coming days in order', () => {
    const changes = firmModeAt(schedule(), OFFICE, at('2026-12-07T10:00:00Z'), 2).changes;
    expect(changes.map((c) => `${iso(c.at)} ${c.mode}`)).toEqual([
      '2026-12-07T17:00:00.000Z closed',
      '2026-12-08T07:00:00.000Z service',
      '2026-12-08T08:00:00.000Z consultation',
      '2026-12-08T11:00:00.000Z service',
      '2026-12-08T17:00:00.000Z closed',
      '2026-12-09T07:00:00.000Z service',
      '2026-12-09T17:00:00.000Z closed',
    ]);
  });

  it("narrows the office's service hours to the firm's own", () => {
    const s = schedule({ service: workdays('10:00', '14:00') });
    expect(firmModeAt(s, OFFICE, at('2026-12-07T08:00:00Z')).mode).toBe('closed');
    expect(firmModeAt(s, OFFICE, at('2026-12-07T10:00:00Z')).mode).toBe('service');
    expect(iso(firmModeAt(s, OFFICE, at('2026-12-07T10:00:00Z')).until)).toBe('2026-12-07T13:00:00.000Z');
  });

  it('joins a range ending at 24:00 with the next day starting at 00:00', () => {
    const s = schedule({ consultation: week({ mon: [['22:00', '24:00']], tue: [['00:00', '02:00']] }) });
    const r = firmModeAt(s, week({}), at('2026-12-07T21:30:00Z'));
    expect(r.mode).toBe('consultation');
    expect(iso(r.until)).toBe('2026-12-08T01:00:00.000Z');
  });
});

describe('daylight-saving nights of 2026', () => {
  const night = (day: keyof WeeklyHours) => schedule({ consultation: week({ [day]: [['01:00', '04:00']] }) });

  it('29 March: 01:00–04:00 wall clock lasts two real hours', () => {
    // Sunday; 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z
    const r = firmModeAt(night('sun'), week({}), at('2026-03-29T00:30:00Z'));
    expect(r.mode).toBe('consultation');
    expect(iso(r.until)).toBe('2026-03-29T02:00:00.000Z');
    expect(firmModeAt(night('sun'), week({}), at('2026-03-28T23:59:00Z')).mode).toBe('closed');
  });

  it('25 October: 01:00–04:00 wall clock lasts four real hours', () => {
    // 01:00 CEST = 23:00Z the day before, 04:00 CET = 03:00Z
    const before = firmModeAt(night('sun'), week({}), at('2026-10-24T22:30:00Z'));
    expect(iso(before.until)).toBe('2026-10-24T23:00:00.000Z');
    const r = firmModeAt(night('sun'), week({}), at('2026-10-25T01:30:00Z'));
    expect(r.mode).toBe('consultation');
    expect(iso(r.until)).toBe('2026-10-25T03:00:00.000Z');
  });

  it('a boundary inside the spring gap takes effect at the switch', () => {
    const s = schedule({ consultation: week({ sun: [['02:30', '05:00']] }) });
    const r = firmModeAt(s, week({}), at('2026-03-28T23:30:00Z'));
    expect(iso(r.until)).toBe('2026-03-29T01:00:00.000Z');
  });

  it('keeps ordinary days 24 hours apart across the switch', () => {
    const s = schedule({ consultation: week({ sat: [['09:00', '10:00']], mon: [['09:00', '10:00']] }) });
    const starts = firmTimeline(s, week({}), at('2026-03-27T12:00:00Z'), 4)
      .filter((seg) => seg.mode === 'consultation')
      .map((seg) => iso(seg.from));
    expect(starts).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });
});

describe('closures, holidays and overrides', () => {
  it('a holiday closes the day with its name', () => {
    // Tuesday 6 Jan 2026 is Heilige Drei Könige in BY, not in NW
    const by = firmModeAt(schedule({ bundesland: 'BY' }), OFFICE, at('2026-01-06T09:00:00Z'));
    expect(by).toMatchObject({ mode: 'closed', reason: { kind: 'holiday', label: 'Heilige Drei Könige' } });
    expect(iso(by.until)).toBe('2026-01-07T07:00:00.000Z');
    expect(firmModeAt(schedule(), OFFICE, at('2026-01-06T09:00:00Z')).mode).toBe('consultation');
  });

  it('overlapping closures close their union; the first listed names the day', () => {
    const s = schedule({
      closures: [
        { from: '2026-12-21', to: '2026-12-31', reason: 'Betriebsurlaub' },
        { from: '2026-12-28', to: '2027-01-08', reason: 'Inventur' },
      ],
    });
    const r = firmModeAt(s, OFFICE, at('2026-12-29T09:00:00Z'), 30);
    expect(r).toMatchObject({ mode: 'closed', reason: { kind: 'closure', label: 'Betriebsurlaub' } });
    expect(iso(r.until)).toBe('2027-01-11T07:00:00.000Z');
    expect(firmModeAt(s, OFFICE, at('2027-01-05T09:00:00Z'), 1).reason).toEqual({ kind: 'closure', label: 'Inventur' });
    // a closure outranks the weekly consultation and the holiday on the same day
    expect(firmModeAt(s, OFFICE, at('2026-12-22T09:00:00Z')).reason.kind).toBe('closure');
    expect(firmModeAt(s, OFFICE, at('2026-12-25T09:00:00Z')).reason.kind).toBe('closure');
  });

  it('an override outranks a closure and reverts at its end', () => {
    const s = schedule({
      closures: [{ from: '2026-12-08', to: '2026-12-08', reason: 'Fortbildung' }],
      override: { mode: 'consultation', until: '2026-12-08T12:00:00+01:00', reason: 'Sprechstunde jetzt' },
    });
    const r = firmModeAt(s, OFFICE, at('2026-12-08T09:30:00Z'));
    expect(r).toMatchObject({ mode: 'consultation', reason: { kind: 'override', label: 'Sprechstunde jetzt' } });
    expect(iso(r.until)).toBe('2026-12-08T11:00:00.000Z');
    expect(r.changes[0]).toMatchObject({ mode: 'closed', reason: { kind: 'closure', label: 'Fortbildung' } });
    expect(firmModeAt(s, OFFICE, at('2026-12-08T11:00:00Z')).reason.kind).toBe('closure');
  });

  it('an override "heute nicht erreichbar" ends and the schedule resumes', () => {
    const s = schedule({ override: { mode: 'closed', until: '2026-12-08T10:00:00Z' } });
    const r = firmModeAt(s, OFFICE, at('2026-12-08T08:30:00Z'));
    expect(r).toMatchObject({ mode: 'closed', reason: { kind: 'override', label: null } });
    expect(r.changes[0]).toMatchObject({ at: at('2026-12-08T10:00:00Z'), mode: 'consultation' });
  });

  it('an override without end holds "bis auf Weiteres"', () => {
    const s = schedule({ override: { mode: 'service', until: null } });
    const r = firmModeAt(s, OFFICE, at('2026-12-08T08:30:00Z'));
    expect(r).toMatchObject({ mode: 'service', until: null, changes: [] });
    expect(firmTimeline(s, OFFICE, at('2026-12-08T08:30:00Z'))).toHaveLength(1);
  });

  it('a past override has no effect', () => {
    const s = schedule({ override: { mode: 'closed', until: '2026-12-08T08:00:00Z' } });
    expect(firmModeAt(s, OFFICE, at('2026-12-08T08:30:00Z')).reason.kind).toBe('consultation_hours');
  });
});

describe('Notdienst', () => {
  it('is offered only within its hours', () => {
    const s = schedule({ emergency: { number: '+49 171 1234567', hours: week({ sat: [['08:00', '20:00']] }) } });
    expect(firmModeAt(s, OFFICE, at('2026-12-12T10:00:00Z')).emergencyNumber).toBe('+49 171 1234567');
    expect(firmModeAt(s, OFFICE, at('2026-12-12T20:00:00Z')).emergencyNumber).toBeNull();
  });
});
