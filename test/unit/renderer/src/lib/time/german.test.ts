import { describe, expect, it } from 'vitest';
import {
  defaultStart,
  formatGermanDate,
  parseGermanDate,
  parseGermanTime,
  readBack,
  readBackAt,
} from '../../../../../../renderer/src/lib/time/german.js';
import { parseHours } from '../../../../../../renderer/src/lib/time/slots.js';

describe('German date and time entry', () => {
  it('reads TT.MM.JJJJ dates, with short forms, and rejects what is not a calendar day', () => {
    expect(parseGermanDate('15.12.2026')).toEqual({ ok: true, value: '2026-12-15' });
    expect(parseGermanDate(' 1.3.27 ')).toEqual({ ok: true, value: '2027-03-01' });
    expect(parseGermanDate('29.02.2028')).toEqual({ ok: true, value: '2028-02-29' });
    for (const bad of ['29.02.2027', '31.04.2026', '12/15/2026', '2026-12-15', '15.13.2026', '', '0.1.2026', '15.12.']) {
      expect(parseGermanDate(bad), bad).toEqual({ ok: false });
    }
  });

  it('reads HH:MM times, with H:MM, HH.MM, a bare hour and "Uhr"; rejects 24:00 and 9:60', () => {
    expect(parseGermanTime('9:30')).toEqual({ ok: true, value: '09:30' });
    expect(parseGermanTime('14.15')).toEqual({ ok: true, value: '14:15' });
    expect(parseGermanTime('8')).toEqual({ ok: true, value: '08:00' });
    expect(parseGermanTime('16 Uhr')).toEqual({ ok: true, value: '16:00' });
    for (const bad of ['24:00', '9:60', '9:3', '9:30 PM', 'abc', '']) {
      expect(parseGermanTime(bad), bad).toEqual({ ok: false });
    }
  });

  it('formats dates as TT.MM.JJJJ and reads back weekday, date and time in German', () => {
    expect(formatGermanDate('2026-12-15')).toBe('15.12.2026');
    expect(readBack('2026-12-15', '09:30')).toBe('Dienstag, 15. Dezember 2026, 9:30 Uhr');
    expect(readBack('2027-03-01', '14:00')).toBe('Montag, 1. März 2027, 14:00 Uhr');
    // a stored instant is read in Berlin time: 23:30Z on New Year's Eve is already 2027 there
    expect(readBackAt('2026-12-31T23:30:00.000Z')).toBe('Freitag, 1. Januar 2027, 0:30 Uhr');
  });
});

describe('the default start of a new booking', () => {
  const hours = parseHours('Di 8–12, Do 14–18');

  it('is the next quarter hour from now when the firm has no hours', () => {
    // Tuesday 15.12.2026, 09:07 Berlin (08:07Z)
    expect(defaultStart(Date.parse('2026-12-15T08:07:00Z'), parseHours(null))).toEqual({ date: '2026-12-15', time: '09:15' });
    // exactly on a quarter: the next one, not now
    expect(defaultStart(Date.parse('2026-12-15T08:15:00Z'), parseHours(''))).toEqual({ date: '2026-12-15', time: '09:30' });
    // late evening rolls over midnight
    expect(defaultStart(Date.parse('2026-12-15T22:50:00Z'), parseHours(null))).toEqual({ date: '2026-12-16', time: '00:00' });
  });

  it('is the next free quarter hour within the consultation hours, never in the past', () => {
    expect(defaultStart(Date.parse('2026-12-15T08:07:00Z'), hours)).toEqual({ date: '2026-12-15', time: '09:15' });
    // Tuesday after 12: Thursday 14:00
    expect(defaultStart(Date.parse('2026-12-15T12:00:00Z'), hours)).toEqual({ date: '2026-12-17', time: '14:00' });
    // Monday: Tuesday 08:00
    expect(defaultStart(Date.parse('2026-12-14T10:00:00Z'), hours)).toEqual({ date: '2026-12-15', time: '08:00' });
    // a taken quarter hour is skipped
    const busy = [{ start: '2026-12-15T08:15:00Z', end: '2026-12-15T09:00:00Z' }];
    expect(defaultStart(Date.parse('2026-12-15T08:07:00Z'), hours, busy)).toEqual({ date: '2026-12-15', time: '10:00' });
    // summer time: 10:00 Berlin is 08:00Z
    expect(defaultStart(Date.parse('2026-07-14T07:50:00Z'), hours)).toEqual({ date: '2026-07-14', time: '10:00' });
  });
});
