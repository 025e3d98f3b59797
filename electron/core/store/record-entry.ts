import { SYNC_FIELDS, type FieldValue, type SyncTable } from '../../../protocol/index.js';

/**
 * Record entries: one outbox row standing for every field of a record created in bulk (imports,
 * migration 006), instead of one row per field. `field` is `*`, `value` a JSON object of the
 * record's fields, all at the entry's version, and `n` how many fields are left in it.
 *
 * A contact's entry also carries the phone records created with it, its **companions**, under
 * `+contact_phone` as `[phoneId, {contact_id, kind, number}]` pairs at the same version: an import
 * writes one outbox row per contact instead of 2.5 (docs/store.md, "Imports"). A companion whose
 * fields are all taken keeps its place as `{}`, so the slot numbers in part ids stay valid while
 * the engine holds them. The entry goes when no field of it or of a companion is left.
 */
export const RECORD_ENTRY = '*';
export const COMPANIONS = '+contact_phone';
export const COMPANION_TABLE = 'contact_phone' satisfies SyncTable;
/** The most phone records one contact entry carries (the write API's limit too: `PhoneInput` × 50). */
export const MAX_COMPANIONS = 50;

export type Fields = Record<string, FieldValue>;

export interface EntryValue {
  own: Fields;
  companions: [string, Fields][];
}

export function readEntry(json: string): EntryValue {
  const { [COMPANIONS]: companions, ...own } = JSON.parse(json) as Fields & { [COMPANIONS]?: [string, Fields][] };
  return { own, companions: companions ?? [] };
}

export function writeEntry(value: EntryValue): { json: string; n: number } {
  let n = Object.keys(value.own).length;
  for (const [, fields] of value.companions) n += Object.keys(fields).length;
  const json = JSON.stringify(value.companions.length > 0 ? { ...value.own, [COMPANIONS]: value.companions } : value.own);
  return { json, n };
}

/**
 * The engine sees one change per field, each under an id of its own derived from the entry's row id:
 * negative, so it never meets a plain outbox row's id. A record's own field: −(row × 64 + the field's
 * index in SYNC_FIELDS). A companion's field lies in a separate range below −2^52, so it never meets
 * an id handed out before companions existed (the `superseded` table keeps ids):
 * −(2^52 + row × 256 + slot × 4 + the field's index).
 */
const FIELD_SLOTS = 64;
const COMPANION_BASE = 2 ** 52;
const COMPANION_SLOTS = 256;
const COMPANION_FIELDS = 4;

/** The id ranges hold SYNC_FIELDS and MAX_COMPANIONS as they are; a change beyond them must widen them. */
export const PART_ID_LIMITS = { FIELD_SLOTS, COMPANION_SLOTS, COMPANION_FIELDS, COMPANION_BASE };

export type EntryPart = { rowId: number; index: number; slot?: undefined } | { rowId: number; slot: number; index: number };

export function fieldIndex(table: string, field: string): number {
  return (SYNC_FIELDS[table as SyncTable] as readonly string[] | undefined)?.indexOf(field) ?? -1;
}

export function fieldAt(table: string, index: number): string | undefined {
  return (SYNC_FIELDS[table as SyncTable] as readonly string[] | undefined)?.[index];
}

export function ownPartId(rowId: number, index: number): number {
  return -(rowId * FIELD_SLOTS + index);
}

export function companionPartId(rowId: number, slot: number, index: number): number {
  return -(COMPANION_BASE + rowId * COMPANION_SLOTS + slot * COMPANION_FIELDS + index);
}

export function fromPartId(id: number): EntryPart {
  const n = -id;
  if (n < COMPANION_BASE) return { rowId: Math.floor(n / FIELD_SLOTS), index: n % FIELD_SLOTS };
  const rest = n - COMPANION_BASE;
  const within = rest % COMPANION_SLOTS;
  return {
    rowId: Math.floor(rest / COMPANION_SLOTS),
    slot: Math.floor(within / COMPANION_FIELDS),
    index: within % COMPANION_FIELDS,
  };
}
