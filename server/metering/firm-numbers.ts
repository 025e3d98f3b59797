import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * The forms in which a firm's number may stand in a CDR: the PBX records the number as it was
 * dialled (or presented), which is whatever form the trunk delivered — E.164, without the plus, with
 * 00, or national. The same forms as the PBX's own lookup (pbx/directory-table.ts numberForms).
 */
export function firmNumberForms(numbers: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const number of numbers) {
    const compact = number.replace(/[\s()/-]/g, '');
    forms.add(compact);
    const parsed = parsePhoneNumberFromString(compact, 'DE');
    if (!parsed) continue;
    const e164 = parsed.number;
    forms.add(e164);
    forms.add(e164.slice(1));
    forms.add(`00${e164.slice(1)}`);
    forms.add(parsed.formatNational().replace(/[^0-9]/g, ''));
  }
  return [...forms].filter((form) => /^\+?[0-9]{3,20}$/.test(form));
}

/** A caller's number in E.164 where it parses (German numbers without a prefix), else as given. */
export function e164OrAsGiven(number: string): string {
  const parsed = parsePhoneNumberFromString(number.replace(/[\s()/-]/g, ''), 'DE');
  return parsed?.isValid() ? parsed.number : number;
}
