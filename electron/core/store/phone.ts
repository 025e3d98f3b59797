import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface NormalisedNumber {
  e164: string | null;
  /** Digit strings the search index holds for this number: as typed, international, national. */
  searchDigits: string[];
}

/** E.164 normalisation for one default region (the office's country, DE unless configured). */
export class PhoneNormaliser {
  constructor(readonly region: CountryCode = 'DE') {}

  /** E.164 of a valid number, else null (the number is then stored verbatim and flagged invalid). */
  e164(raw: string | null | undefined): string | null {
    if (!raw) return null;
    const trimmed = raw.trim();
    if (trimmed.length === 0 || trimmed.length > 64 || !/\d/.test(trimmed)) return null;
    const parsed = parsePhoneNumberFromString(trimmed, this.region);
    return parsed?.isValid() ? parsed.number : null;
  }

  normalise(raw: string): NormalisedNumber {
    const digits = raw.replace(/\D/g, '');
    const e164 = this.e164(raw);
    const searchDigits = new Set<string>();
    if (digits) searchDigits.add(digits);
    if (e164) {
      searchDigits.add(e164.slice(1));
      const parsed = parsePhoneNumberFromString(e164);
      if (parsed) searchDigits.add(`0${parsed.nationalNumber}`);
    }
    return { e164, searchDigits: [...searchDigits] };
  }
}
