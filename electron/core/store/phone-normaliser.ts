import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface NormalisedNumber {
  e164: string | null;
  /** Digit strings the search index holds for this number: as typed, international, national. */
  searchDigits: string[];
}

/** E.164 normalisation for one default region (the office's country, DE unless configured). */
export class PhoneNormaliser {
  // Writing a number and indexing it both need its normal form: parsing is the costly part of an
  // import, so the last few thousand results are kept.
  private cache = new Map<string, NormalisedNumber>();

  constructor(readonly region: CountryCode = 'DE') {}

  /** E.164 of a valid number, else null (the number is then stored verbatim and flagged invalid). */
  e164(raw: string | null | undefined): string | null {
    if (!raw) return null;
    return this.normalise(raw).e164;
  }

  normalise(raw: string): NormalisedNumber {
    let result = this.cache.get(raw);
    if (result) return result;
    const digits = raw.replace(/\D/g, '');
    const trimmed = raw.trim();
    let e164: string | null = null;
    let national: string | null = null;
    if (trimmed.length > 0 && trimmed.length <= 64 && /\d/.test(trimmed)) {
      const parsed = parsePhoneNumberFromString(trimmed, this.region);
      if (parsed?.isValid()) {
        e164 = parsed.number;
        national = `0${parsed.nationalNumber}`;
      }
    }
    const searchDigits = new Set<string>();
    if (digits) searchDigits.add(digits);
    if (e164) searchDigits.add(e164.slice(1));
    if (national) searchDigits.add(national);
    result = { e164, searchDigits: [...searchDigits] };
    if (this.cache.size >= 4096) this.cache = new Map();
    this.cache.set(raw, result);
    return result;
  }
}
