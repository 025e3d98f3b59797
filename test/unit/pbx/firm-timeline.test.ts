import { describe, expect, it } from 'vitest';
import { FirmSchedule, type FirmScheduleInput, type WeeklyHours } from '../../../protocol/firm-day.js';
import {
  DEFAULT_OFFICE_HOURS,
  announcementText,
  e164,
  firmdayRows,
  routingSegments,
  whenDe,
} from '../../../pbx/firm-timeline.js';

// 2026-12-07 is a Monday; Berlin is UTC+1 in December, UTC+2 from 2027-03-28 03:00.
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const day = (start: string, end: string) => [{ start, end }];
const week = (days: Partial<Record<keyof WeeklyHours, { start: string; end: string }[]>>): WeeklyHours => ({
  mon: [],
  tue: [],
  wed: [],
  thu: [],
  fri: [],
  sat: [],
  sun: [],
  ...days,
});
const schedule = (input: Partial<FirmScheduleInput> = {}) =>
  FirmSchedule.parse({ bundesland: 'NW', consultation: week({ tue: day('09:00', '12:00') }), ...input });
const firm = (input: Partial<FirmScheduleInput> = {}) => ({ name: 'Tischlerei Holzwurm', schedule: schedule(input) });
const announce = (text: string, first: boolean) => ({ path: `/a/${first ? 'first' : 'later'}-${text.length}.wav`, ms: 4000 });

describe("a firm's routing timeline", () => {
  it('switches at the instants of the schedule: service, consultation, service, closed', () => {
    const segments = routingSegments(firm(), DEFAULT_OFFICE_HOURS, at('2026-12-08T06:00:00Z'), 1);
    expect(segments.slice(0, 4).map((s) => `${iso(s.from)} ${s.mode}`)).toEqual([
      '2026-12-08T06:00:00.000Z closed',
      '2026-12-08T07:00:00.000Z service',
      '2026-12-08T08:00:00.000Z consultation',
      '2026-12-08T11:00:00.000Z service',
    ]);
    expect(iso(segments[3]!.to)).toBe('2026-12-08T17:00:00.000Z');
    // Contiguous: each segment ends where the next begins.
    for (let i = 1; i < segments.length; i += 1) expect(segments[i]!.from).toBe(segments[i - 1]!.to);
  });

  it('announces when the firm is next reachable, in German words', () => {
    const [closed] = routingSegments(firm(), DEFAULT_OFFICE_HOURS, at('2026-12-07T20:00:00Z'), 2);
    expect(closed!.mode).toBe('closed');
    expect(closed!.announcement).toBe(
      'Sie sind verbunden mit Tischlerei Holzwurm. Zurzeit ist niemand erreichbar. ' +
        'Wir sind wieder erreichbar am Dienstag, 8. Dezember, um 8:00 Uhr. Bitte rufen Sie dann wieder an. Auf Wiederhören.',
    );
    expect(announcementText('X', null, true)).toContain('bis auf Weiteres');
    expect(announcementText('X', null, true)).toContain('Notdienst');
  });

  it('splits a closed stretch where the Notdienst hours begin and end, and offers the Notdienst only inside them', () => {
    const emergency = { number: '0170 1234567', hours: week({ mon: day('20:00', '22:00') }) };
    const segments = routingSegments(firm({ emergency }), DEFAULT_OFFICE_HOURS, at('2026-12-07T17:00:00Z'), 1);
    expect(segments.slice(0, 3).map((s) => `${iso(s.from)} ${s.mode} ${s.emergency}`)).toEqual([
      '2026-12-07T17:00:00.000Z closed null',
      '2026-12-07T19:00:00.000Z closed +491701234567',
      '2026-12-07T21:00:00.000Z closed null',
    ]);
    expect(segments[1]!.announcement).toContain('Notdienst');
    expect(segments[0]!.announcement).not.toContain('Notdienst');
  });

  it('an override holds from now until its end, then the plan; an open one to the horizon', () => {
    const until = '2026-12-08T09:30:00.000Z';
    const segments = routingSegments(
      firm({ override: { mode: 'closed', until } }),
      DEFAULT_OFFICE_HOURS,
      at('2026-12-08T08:15:00Z'),
      1,
    );
    expect(segments.slice(0, 2).map((s) => `${iso(s.from)} ${s.mode}`)).toEqual([
      '2026-12-08T08:15:00.000Z closed',
      '2026-12-08T09:30:00.000Z consultation',
    ]);
    const open = routingSegments(
      firm({ override: { mode: 'service', until: null } }),
      DEFAULT_OFFICE_HOURS,
      at('2026-12-08T08:15:00Z'),
      3,
    );
    expect(open).toHaveLength(1);
    expect(open[0]!.mode).toBe('service');
  });

  it('follows the wall clock across the spring switch: consultation 08:00 Berlin is 06:00 UTC after it', () => {
    // Easter Monday (29 March 2027) is a holiday: the Tuesday after the switch is the next consultation.
    const s = firm({
      consultation: week({ sat: day('08:00', '09:00'), mon: day('08:00', '09:00'), tue: day('08:00', '09:00') }),
    });
    const segments = routingSegments(s, week({}), at('2027-03-26T12:00:00Z'), 5);
    expect(segments.filter((x) => x.mode === 'consultation').map((x) => iso(x.from))).toEqual([
      '2027-03-27T07:00:00.000Z',
      '2027-03-30T06:00:00.000Z',
    ]);
  });

  it('renders rows Kamailio reads by $TS: ends in epoch seconds, mode, Notdienst, announcement and its length', () => {
    const rows = firmdayRows(
      [
        { tenant: 'tischlerei', name: 'Tischlerei Holzwurm', schedule: schedule(), ringMs: 15_000, craftsmanFallback: true },
        { tenant: 'sanitaer', name: 'Sanitär Rohrfrei', schedule: undefined },
      ],
      DEFAULT_OFFICE_HOURS,
      at('2026-12-08T06:00:00Z'),
      announce,
      1,
    );
    const value = (key: string) => rows.find((r) => r.key === key)?.value;
    expect(value('firm:tischlerei:ring')).toBe(15_000);
    expect(value('firm:tischlerei:fallback')).toBe(1);
    expect(value('firm:sanitaer:ring')).toBe(20_000);
    // No schedule: no timeline, the number rings as it always did.
    expect(rows.some((r) => r.key.startsWith('tl:sanitaer:'))).toBe(false);
    expect(value('tl:tischlerei:0:to')).toBe(at('2026-12-08T07:00:00Z') / 1000);
    expect(value('tl:tischlerei:0:mode')).toBe('closed');
    expect(value('tl:tischlerei:0:wav')).toMatch(/^\/a\/first-/);
    expect(value('tl:tischlerei:0:wavms')).toBe(4000);
    expect(value('tl:tischlerei:1:mode')).toBe('service');
    expect(value('tl:tischlerei:1:wav')).toBe('-');
    expect(value('tl:tischlerei:1:nd')).toBe('-');
    const n = value('tl:tischlerei:n') as number;
    expect(rows.filter((r) => /^tl:tischlerei:\d+:mode$/.test(r.key))).toHaveLength(n);
    // Only the closed stretch that holds now is spoken before the table is written; with none now, none is.
    expect(rows.filter((r) => String(r.value).startsWith('/a/first-'))).toHaveLength(1);
    const open = firmdayRows(
      [{ tenant: 'tischlerei', name: 'Tischlerei Holzwurm', schedule: schedule() }],
      DEFAULT_OFFICE_HOURS,
      at('2026-12-08T08:30:00Z'),
      announce,
      1,
    );
    expect(open.some((r) => /^tl:tischlerei:\d+:wav$/.test(r.key) && String(r.value).startsWith('/a/later-'))).toBe(true);
    expect(open.some((r) => String(r.value).startsWith('/a/first-'))).toBe(false);
    expect(() =>
      firmdayRows([{ tenant: 'Bad Id', name: 'x', schedule: undefined }], DEFAULT_OFFICE_HOURS, 0, announce),
    ).toThrow();
  });

  it("follows the office's own hours when they are not 08–18, and a firm's service part narrows them", () => {
    // The office works Mo–Sa 07:00–20:00 (Tuesday's consultation 09:00–12:00 inside it).
    const office = week({
      mon: day('07:00', '20:00'),
      tue: day('07:00', '20:00'),
      wed: day('07:00', '20:00'),
      thu: day('07:00', '20:00'),
      fri: day('07:00', '20:00'),
      sat: day('07:00', '20:00'),
    });
    const wide = routingSegments(firm(), office, at('2026-12-08T05:00:00Z'), 1);
    expect(wide.slice(0, 5).map((s) => `${iso(s.from)} ${s.mode}`)).toEqual([
      '2026-12-08T05:00:00.000Z closed',
      '2026-12-08T06:00:00.000Z service',
      '2026-12-08T08:00:00.000Z consultation',
      '2026-12-08T11:00:00.000Z service',
      '2026-12-08T19:00:00.000Z closed',
    ]);
    // Saturday is a service day of this office, not of the default one.
    const saturday = routingSegments(firm(), office, at('2026-12-12T05:00:00Z'), 1);
    expect(saturday.find((s) => s.mode === 'service')?.from).toBe(at('2026-12-12T06:00:00Z'));
    expect(routingSegments(firm(), DEFAULT_OFFICE_HOURS, at('2026-12-12T05:00:00Z'), 1).every((s) => s.mode === 'closed')).toBe(
      true,
    );
    // The firm narrows it to Tuesday 10:00–16:00 (and nothing else): the intersection, around its consultation.
    const narrow = routingSegments(
      firm({ service: week({ tue: day('10:00', '16:00') }) }),
      office,
      at('2026-12-08T05:00:00Z'),
      1,
    );
    expect(narrow.slice(0, 4).map((s) => `${iso(s.from)} ${s.mode}`)).toEqual([
      '2026-12-08T05:00:00.000Z closed',
      '2026-12-08T08:00:00.000Z consultation',
      '2026-12-08T11:00:00.000Z service',
      '2026-12-08T15:00:00.000Z closed',
    ]);
  });

  it('renders each firm with the office hours its record holds, the default for a firm whose record holds none', () => {
    const early = week({ tue: day('06:00', '07:00') });
    const rows = firmdayRows(
      [
        { tenant: 'tischlerei', name: 'Tischlerei Holzwurm', schedule: schedule(), officeHours: early },
        { tenant: 'glaserei', name: 'Glaserei', schedule: schedule() },
      ],
      DEFAULT_OFFICE_HOURS,
      at('2026-12-08T04:00:00Z'),
      announce,
      1,
    );
    const value = (key: string) => rows.find((r) => r.key === key)?.value;
    expect([value('tl:tischlerei:0:mode'), value('tl:tischlerei:0:to')]).toEqual(['closed', at('2026-12-08T05:00:00Z') / 1000]);
    expect(value('tl:tischlerei:1:mode')).toBe('service');
    expect([value('tl:glaserei:0:mode'), value('tl:glaserei:0:to')]).toEqual(['closed', at('2026-12-08T07:00:00Z') / 1000]);
  });

  it('says times as spoken German and numbers in E.164', () => {
    expect(whenDe(at('2026-12-12T13:30:00Z'))).toBe('am Samstag, 12. Dezember, um 14:30 Uhr');
    expect(e164('0170 1234567')).toBe('+491701234567');
    expect(e164('+43 1 234567')).toBe('+431234567');
  });
});
