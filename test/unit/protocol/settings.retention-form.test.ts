import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_YEARS, SettingsPatch, retentionYearsFromForm } from '../../../protocol/index.js';

describe('the retention form as the setting mailRetentionYears', () => {
  it('keeps only what differs from the default, and empty fields mean the default', () => {
    expect(DEFAULT_RETENTION_YEARS.rechnung).toBe(8);
    const result = retentionYearsFromForm({ rechnung: ' 10 ', brief: '6', paket: '', gericht: '30' });
    expect(result).toEqual({ ok: true, value: { rechnung: 10, gericht: 30 } });
    // What the form saves is what settings.set accepts.
    expect(SettingsPatch.safeParse({ mailRetentionYears: result.ok ? result.value : undefined }).success).toBe(true);
    expect(retentionYearsFromForm({})).toEqual({ ok: true, value: {} });
  });

  it('names every kind whose years are not a whole number from 1 to 30', () => {
    expect(
      retentionYearsFromForm({ brief: '0', rechnung: '31', mahnung: '2.5', paket: 'drei', behoerde: '-1', gericht: '12' }),
    ).toEqual({
      ok: false,
      invalid: ['brief', 'rechnung', 'mahnung', 'behoerde', 'paket'],
    });
  });
});
