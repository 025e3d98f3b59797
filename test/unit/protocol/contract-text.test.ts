import { describe, expect, it } from 'vitest';
import { dateDe, describeContractDe, euroDe, percentDe } from '../../../protocol/contract-text.js';

describe('contract text', () => {
  it('writes amounts, rates and days as a German invoice does', () => {
    expect(euroDe(9900)).toBe('99,00 €');
    expect(euroDe(123456789)).toBe('1.234.567,89 €');
    expect(euroDe(5)).toBe('0,05 €');
    expect(percentDe(1900)).toBe('19 %');
    expect(percentDe(750)).toBe('7,5 %');
    expect(dateDe('2026-11-01')).toBe('01.11.2026');
  });

  it('names every term of a version', () => {
    expect(
      describeContractDe({
        model: 'per_call',
        perCallCents: 150,
        takt: { firstSeconds: 30, nextSeconds: 30 },
        countHold: false,
        countAfterCallWork: true,
        freeBelowSeconds: 0,
        vatBasisPoints: 1900,
        validFrom: '2026-11-01',
      }),
    ).toBe(
      'ab 01.11.2026: 1,50 € je Anruf; Takt 30/30; Haltezeit zählt nicht; Nacharbeit zählt; keine Freiminuten; MwSt. 19 %; Rückrufe im Auftrag der Firma frei',
    );
  });
});
