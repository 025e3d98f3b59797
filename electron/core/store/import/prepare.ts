import {
  HostError,
  STORE_LIMITS,
  normalizeLineBreaks,
  type ImportRowReason,
  type PhoneKind,
} from '../../../../protocol/index.js';
import { charLimit, checkLimit } from '../columns.js';
import { checkName } from '../contacts.js';
import { foldForIndex } from '../fold.js';
import { newId } from '../ids.js';
import type { PhoneNormaliser } from '../phone-normaliser.js';
import { COMPANIONS, MAX_COMPANIONS } from '../record-entry.js';
import type { ImportedContact, ImportProblem } from './record.js';

/** The contact columns an import fills, in the order of `PreparedContact.values`. */
export const IMPORTED_COLUMNS = ['name', 'company', 'email', 'street', 'postal_code', 'city', 'notes'] as const;

export interface PreparedPhone {
  id: string;
  kind: PhoneKind;
  number: string;
  e164: string | null;
}

/**
 * One imported contact, checked and with everything derived that does not need the database:
 * ids, E.164 numbers, the folded search text and the outbox values. Plain data, so the parsing
 * thread can hand it to the writing thread as it is.
 */
export interface PreparedContact {
  line: number;
  id: string;
  /** IMPORTED_COLUMNS, null where the file had nothing. */
  values: (string | null)[];
  /** The outbox value of the contact's record entry, its phones as companions (record-entry.ts). */
  json: string;
  /** How many fields `json` holds, the phones' included. */
  fields: number;
  phones: PreparedPhone[];
  /** The FTS columns name, company, email, numbers exactly as SearchIndex would write them. */
  fts: [string, string, string, string];
}

/** A refused row as the report tells it: the checks' HostError, with what the UI needs to say why. */
function problemOf(line: number, error: HostError): ImportProblem {
  const field = error.field;
  const problem = (reason: ImportRowReason, values?: Record<string, number>): ImportProblem => ({
    line,
    error: error.message,
    reason,
    ...(field === undefined ? {} : { field }),
    ...(values ? { values } : {}),
  });
  if (error.code === 'too_large' && field !== undefined) {
    const chars = charLimit(field);
    return chars === undefined
      ? problem('too_long_bytes', { limit: STORE_LIMITS.longTextBytes })
      : problem('too_long', { limit: chars });
  }
  if (error.code === 'invalid_characters' && field !== undefined) return problem('invalid_characters');
  if (field === 'name') return problem('no_name');
  if (field === 'number') return problem('phone_empty');
  if (field === 'phones') return problem('too_many_phones', { limit: MAX_COMPANIONS });
  return problem('other');
}

/** The fields of an imported phone record: contact_id, kind, number. */
const PHONE_FIELDS = 3;

/** Checks a parsed contact the way a write of it would, and derives what its rows need. */
export function prepareContact(item: ImportedContact, normaliser: PhoneNormaliser): PreparedContact | ImportProblem {
  try {
    checkName(item.name);
    const present: Record<string, string> = {};
    const values = IMPORTED_COLUMNS.map((column) => {
      const raw = item[column];
      if (raw === null) return null;
      // CR LF inside a quoted CSV field or a folded vCard note is a line break, kept as the app keeps them
      const value = normalizeLineBreaks(raw);
      checkLimit(column, value);
      present[column] = value;
      return value;
    });
    if (item.phones.length > MAX_COMPANIONS)
      throw new HostError('validation', `a contact may have at most ${MAX_COMPANIONS} phone numbers`, 'phones');
    const id = newId();
    const digits = new Set<string>();
    const phones = item.phones.map(({ kind, number }): PreparedPhone => {
      if (number.trim() === '') throw new HostError('validation', 'a phone number must not be empty', 'number');
      checkLimit('number', number);
      const normal = normaliser.normalise(number);
      for (const d of normal.searchDigits) digits.add(d);
      return { id: newId(), kind, number, e164: normal.e164 };
    });
    const fields = Object.keys(present).length + phones.length * PHONE_FIELDS;
    const entry: Record<string, unknown> = present;
    if (phones.length > 0) entry[COMPANIONS] = phones.map((p) => [p.id, { contact_id: id, kind: p.kind, number: p.number }]);
    return {
      line: item.line,
      id,
      values,
      json: JSON.stringify(entry),
      fields,
      phones,
      fts: [foldForIndex(item.name), foldForIndex(item.company), foldForIndex(item.email), [...digits].join(' ')],
    };
  } catch (error) {
    if (!(error instanceof HostError)) throw error;
    return problemOf(item.line, error);
  }
}
