import { describe, expect, it } from 'vitest';
import { parseWeek, partsFromOptions } from '../../../../server/admin/firm-hours.js';

const usage = (message: string) => new Error(message);

describe('tenant hours options', () => {
  it('reads German weekdays, several ranges and both dashes', () => {
    const week = parseWeek(['Di 8:00-12:00,13:00–15:00', 'do 14:00 - 18:00'], '--day', usage);
    expect(week.tue).toEqual([
      { start: '08:00', end: '12:00' },
      { start: '13:00', end: '15:00' },
    ]);
    expect(week.thu).toEqual([{ start: '14:00', end: '18:00' }]);
    expect(week.mon).toEqual([]);
    expect(() => parseWeek(['Tu 08:00-12:00'], '--day', usage)).toThrow('expected a weekday');
    expect(() => parseWeek(['Di 8-12'], '--day', usage)).toThrow('"8-12" is not a range');
  });

  it('sets only the parts given, as JSON text, the Notdienst around the clock unless its days are given', () => {
    const parts = partsFromOptions(
      { bundesland: 'by', closure: ['2026-10-03 Brückentag', '2026-12-24..2026-12-31 Betriebsurlaub'], emergency: '+4917012345' },
      usage,
    );
    expect(Object.keys(parts).sort()).toEqual(['bundesland', 'closures', 'emergency']);
    expect(JSON.parse(parts.bundesland!)).toBe('BY');
    expect(JSON.parse(parts.closures!)).toEqual([
      { from: '2026-10-03', to: '2026-10-03', reason: 'Brückentag' },
      { from: '2026-12-24', to: '2026-12-31', reason: 'Betriebsurlaub' },
    ]);
    expect((JSON.parse(parts.emergency!) as { hours: { sun: unknown } }).hours.sun).toEqual([{ start: '00:00', end: '24:00' }]);
    expect(partsFromOptions({ 'no-emergency': true, 'no-closures': true }, usage)).toEqual({ emergency: null, closures: '[]' });
  });

  it('refuses what the sync API would refuse, naming the option', () => {
    expect(() => partsFromOptions({ closure: ['2026-12-31..2026-12-24 Urlaub'] }, usage)).toThrow(
      /^--closure: closure 2026-12-31/,
    );
    expect(() => partsFromOptions({ closure: ['24.12.2026 Urlaub'] }, usage)).toThrow('expected "YYYY-MM-DD');
    expect(() => partsFromOptions({ emergency: 'Notruf' }, usage)).toThrow('--emergency: not a phone number');
    expect(() => partsFromOptions({ bundesland: 'Bayern' }, usage)).toThrow('expected one of BW');
  });

  it('sets an override until further notice, with its reason, and clears it', () => {
    const parts = partsFromOptions({ override: 'service', 'override-reason': 'Büro rund um die Uhr besetzt' }, usage);
    expect(JSON.parse(parts.override!)).toEqual({ mode: 'service', until: null, reason: 'Büro rund um die Uhr besetzt' });
    expect(partsFromOptions({ 'no-override': true }, usage)).toEqual({ override: null });
    expect(() => partsFromOptions({ override: 'offen' }, usage)).toThrow(
      '--override "offen": expected consultation, service or closed',
    );
    expect(() => partsFromOptions({ 'override-reason': 'x' }, usage)).toThrow('--override-reason needs --override MODE');
  });
});
