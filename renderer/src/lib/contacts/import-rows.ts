import type { ImportRowError } from '../../../../protocol/index.js';

type Translate = (id: string, options?: { values?: Record<string, string | number> }) => string;

/** Contact fields the message files name (`contacts.<field>`). */
const FIELD_LABELS = new Set(['name', 'company', 'email', 'street', 'postal_code', 'city', 'notes', 'phones']);

/**
 * Why a row of an import was refused, in the user's language. The store's English text goes to the
 * log; a reason this build does not know falls back to a general sentence, never to English.
 */
export function importRowText(row: ImportRowError, t: Translate): string {
  const field = row.field === undefined ? '' : FIELD_LABELS.has(row.field) ? t(`contacts.${row.field}`) : row.field;
  return t(`contacts.importRow.${row.reason}`, { values: { ...row.values, field } });
}
