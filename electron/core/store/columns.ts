import {
  HostError,
  STORE_LIMITS,
  describeFault,
  findUnsafeText,
  type FieldValue,
  type SyncTable,
} from '../../../protocol/index.js';

/** How a sync field is kept in its SQLite column; everything not listed is text. */
const BOOLEAN_FIELDS = new Set(['_deleted', 'callback_requested', 'internal', 'alert_craftsman']);
const JSON_FIELDS = new Set(['tenant.numbers']);

/** Per-field limits in characters; long free text is limited in UTF-8 bytes (MAX_VALUE_BYTES). */
const CHAR_LIMITS: Record<string, number> = {
  name: STORE_LIMITS.name,
  company: STORE_LIMITS.company,
  email: STORE_LIMITS.email,
  street: STORE_LIMITS.street,
  postal_code: STORE_LIMITS.postal_code,
  city: STORE_LIMITS.city,
  number: STORE_LIMITS.number,
  remote_number: STORE_LIMITS.number,
  dialled_number: STORE_LIMITS.number,
  callback_number: STORE_LIMITS.number,
  mobile: STORE_LIMITS.number,
  subject: STORE_LIMITS.subject,
  place: STORE_LIMITS.place,
  taken_by: STORE_LIMITS.taken_by,
  assignee: STORE_LIMITS.assignee,
  author: STORE_LIMITS.author,
  transferred_to: STORE_LIMITS.transferred_to,
  caller_name: STORE_LIMITS.name,
  caller_number: STORE_LIMITS.number,
};

export type SqlValue = string | number | null;

export function quoteIdent(name: string): string {
  return `"${name}"`;
}

export function toSql(table: SyncTable, field: string, value: FieldValue): SqlValue {
  if (BOOLEAN_FIELDS.has(field)) return value === null && field !== '_deleted' ? null : value ? 1 : 0;
  if (JSON_FIELDS.has(`${table}.${field}`)) return value === null ? null : JSON.stringify(value);
  if (value === null) return null;
  if (Array.isArray(value)) return JSON.stringify(value);
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

export function fromSql(table: SyncTable, field: string, value: unknown): FieldValue {
  if (BOOLEAN_FIELDS.has(field))
    return value === null || value === undefined ? (field === '_deleted' ? false : null) : value === 1;
  if (JSON_FIELDS.has(`${table}.${field}`)) {
    if (typeof value !== 'string') return null;
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? parsed.map(String) : null;
    } catch {
      return null;
    }
  }
  if (value === undefined || value === null) return null;
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : (value as string);
}

/** The field's limit in characters, or undefined for long text (limited in UTF-8 bytes). */
export function charLimit(field: string): number | undefined {
  return CHAR_LIMITS[field];
}

/**
 * Refuses a value above its documented limit with `too_large`, and one with a character that the
 * server, the exports or the feed could not carry faithfully with `invalid_characters` (a NUL or a
 * broken character pasted from a PDF), naming the field: refused here, at the edge, such a value
 * never reaches the outbox.
 */
export function checkLimit(field: string, value: FieldValue): void {
  const fault = findUnsafeText(value);
  if (fault) throw new HostError('invalid_characters', `${field} contains a ${describeFault(fault)}`, field);
  if (typeof value !== 'string') return;
  const chars = CHAR_LIMITS[field];
  if (chars !== undefined) {
    if (value.length > chars) throw new HostError('too_large', `${field} is longer than ${chars} characters`, field);
    return;
  }
  if (Buffer.byteLength(value, 'utf8') > STORE_LIMITS.longTextBytes) {
    throw new HostError('too_large', `${field} is larger than ${STORE_LIMITS.longTextBytes} bytes`, field);
  }
}
