import { describe, expect, it } from 'vitest';
import { encodeSchedulePart, scheduleFieldFault, scheduleFromFields } from '../../../protocol/firm-schedule.js';

describe('firm schedule fields', () => {
  it('encodes parts as JSON text that passes its own check', () => {
    const weekly = encodeSchedulePart('consultation', { tue: [{ start: '08:00', end: '12:00' }] });
    expect(JSON.parse(weekly)).toMatchObject({ tue: [{ start: '08:00', end: '12:00' }], mon: [] });
    expect(scheduleFieldFault('consultation', weekly)).toBeUndefined();
    expect(() => encodeSchedulePart('bundesland', 'XX' as 'BY')).toThrow();
  });

  it('names the field and the place of a fault', () => {
    expect(scheduleFieldFault('consultation', JSON.stringify({ mon: [{ start: '12:00', end: '08:00' }] }))).toMatch(
      /^consultation\.mon\.0: range 12:00–08:00: start must be before end/,
    );
    expect(scheduleFieldFault('override', '{')).toBe('override is not valid JSON');
    expect(scheduleFieldFault('closures', ['x'])).toBe('closures must be JSON text or null');
    expect(scheduleFieldFault('emergency', null)).toBeUndefined();
    expect(scheduleFieldFault('_deleted', true)).toBeUndefined();
  });

  it('assembles the schedule once Bundesland and consultation hours are set', () => {
    expect(scheduleFromFields({ bundesland: '"BY"' })).toBeUndefined();
    expect(scheduleFromFields({ bundesland: '"BY"', consultation: '{', override: null })).toBeUndefined();
    expect(scheduleFromFields({ bundesland: '"BY"', consultation: '{}', override: null })).toMatchObject({
      bundesland: 'BY',
      service: null,
      closures: [],
      override: null,
    });
  });
});
