import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * A number as Germans write it: country code, area code (or mobile prefix) and subscriber number
 * in three groups, "+49 176 12345678", "+49 30 1234567". Foreign numbers get their own country's
 * international grouping ("+41 44 123 45 67"). Internal
 * extensions, user names and anything unparsable come back unchanged: the card never hides what
 * the PBX sent.
 */
export function formatPhoneNumber(raw: string): string {
  const text = raw.trim();
  if (!/^\+[0-9]{6,15}$/.test(text)) return raw;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed?.isValid()) return raw;
  return parsed.formatInternational();
}

/** How long a call has run, as a clock shows it: "0:07", "12:34", "1:02:03". Negative spans count as zero. */
export function formatCallDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}
