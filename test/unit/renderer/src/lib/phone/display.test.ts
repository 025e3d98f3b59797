import { describe, expect, it } from 'vitest';
import { formatCallDuration, formatPhoneNumber } from '../../../../../../renderer/src/lib/phone/display.js';

describe('formatPhoneNumber', () => {
  it('writes German numbers as country code, area code and subscriber number', () => {
    expect(formatPhoneNumber('+4917612345678')).toBe('+49 176 12345678');
    expect(formatPhoneNumber('+49301234567')).toBe('+49 30 1234567');
    expect(formatPhoneNumber('+492211234567')).toBe('+49 221 1234567');
    expect(formatPhoneNumber('+498001234567')).toBe('+49 800 1234567');
  });

  it('gives foreign numbers their own international grouping', () => {
    expect(formatPhoneNumber('+43123456789')).toBe('+43 1 23456789');
    expect(formatPhoneNumber('+41441234567')).toBe('+41 44 123 45 67');
  });

  it('leaves extensions, user names and unparsable input as they came', () => {
    for (const raw of ['', '42', 'max', '*21#', '+49', '+4900000', '0176 12345678', '+49 176 12345678x', 'sip:a@b']) {
      expect(formatPhoneNumber(raw)).toBe(raw);
    }
  });
});

describe('formatCallDuration', () => {
  it('counts m:ss below an hour and h:mm:ss from then on', () => {
    expect(formatCallDuration(0)).toBe('0:00');
    expect(formatCallDuration(7_999)).toBe('0:07');
    expect(formatCallDuration(754_000)).toBe('12:34');
    expect(formatCallDuration(3_599_000)).toBe('59:59');
    expect(formatCallDuration(3_600_000)).toBe('1:00:00');
    expect(formatCallDuration(3_723_000)).toBe('1:02:03');
  });

  it('never shows a negative time when clocks disagree', () => {
    expect(formatCallDuration(-5_000)).toBe('0:00');
  });
});
