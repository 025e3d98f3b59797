import { describe, expect, it } from 'vitest';
import { FirmSchedule } from '../../../protocol/firm-day.js';
import { describeDaysDe, describeFirmScheduleDe, describeWeekDe } from '../../../protocol/firm-week.js';

describe('the firm week in German', () => {
  it('lists days in week order with their ranges sorted', () => {
    const week = FirmSchedule.shape.consultation.parse({
      thu: [{ start: '14:00', end: '18:00' }],
      tue: [
        { start: '13:00', end: '15:00' },
        { start: '08:00', end: '12:00' },
      ],
    });
    expect(describeWeekDe(week)).toBe('Di 08:00–12:00 und 13:00–15:00, Do 14:00–18:00');
    expect(describeWeekDe(FirmSchedule.shape.consultation.parse({}))).toBe('keine');
    const always = [{ start: '00:00', end: '24:00' }];
    const daily = { mon: always, tue: always, wed: always, thu: always, fri: always, sat: always, sun: always };
    expect(describeWeekDe(FirmSchedule.shape.consultation.parse(daily))).toBe('täglich 00:00–24:00');
  });

  it('writes closures with the year once, or twice across a new year', () => {
    expect(describeDaysDe('2026-12-24', '2026-12-31')).toBe('24.12.–31.12.2026');
    expect(describeDaysDe('2026-12-28', '2027-01-02')).toBe('28.12.2026–02.01.2027');
    expect(describeDaysDe('2026-10-03', '2026-10-03')).toBe('03.10.2026');
  });

  it('prints the whole schedule in one line, the override in Berlin time', () => {
    const schedule = FirmSchedule.parse({
      bundesland: 'BY',
      consultation: { tue: [{ start: '08:00', end: '12:00' }], thu: [{ start: '14:00', end: '18:00' }] },
      closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'Betriebsurlaub' }],
      emergency: { number: '+4917012345', hours: { sat: [{ start: '08:00', end: '18:00' }] } },
      override: { mode: 'closed', until: '2026-12-07T22:59:00Z' },
    });
    expect(describeFirmScheduleDe(schedule)).toBe(
      'Sprechstunde Di 08:00–12:00, Do 14:00–18:00; Bundesland BY; Betriebsurlaub 24.12.–31.12.2026; ' +
        'Notdienst +4917012345 (Sa 08:00–18:00); Ausnahme: nicht erreichbar bis 07.12.2026 23:59',
    );
  });
});
