/**
 * The compact wire form of changes (docs/sync-protocol.md, "Wire form"). Inside client and server a
 * change is the flat `Change`; on the wire changes are grouped tenant → table → record id → field,
 * so a record's id and tenant travel once however many of its fields changed, and versions travel
 * as compact HLC strings. Stores always keep the canonical, byte-sortable version.
 */
import { z } from 'zod';
import { HLC_PATTERN, formatVersion, parseVersion } from './hlc.js';
import { SyncTable, TenantId, isSyncField, type Change, type FieldValue, type PulledChange } from './sync.js';

/** `<ms base36>.<counter base36>.<node id, 16 hex>`, e.g. `mwy2n2s0.0.3f2a9c01d4e5b6a7`. */
export const WIRE_VERSION_PATTERN = /^[0-9a-z]{1,10}\.[0-9a-z]{1,4}\.[0-9a-f]{16}$/;
const MAX_MS = 999_999_999_999_999;
const MAX_COUNTER = 99_999;

// Pulled pages are in sequence order, so neighbouring versions mostly share their millisecond
// (a bulk import: all of them); converting it once per run keeps the pull path cheap.
let lastMs = '';
let lastMs36 = '0';

export function toWireVersion(version: string): string {
  if (!HLC_PATTERN.test(version)) parseVersion(version); // throws, naming the version
  const ms = version.slice(0, 15);
  if (ms !== lastMs) {
    lastMs = ms;
    lastMs36 = Number(ms).toString(36);
  }
  const counter = version.slice(16, 21);
  return `${lastMs36}.${counter === '00000' ? '0' : Number(counter).toString(36)}.${version.slice(22)}`;
}

/** The canonical version of a wire version, or undefined when it is not one. */
export function fromWireVersion(wire: string): string | undefined {
  if (!WIRE_VERSION_PATTERN.test(wire)) return undefined;
  const [ms36, counter36, node] = wire.split('.') as [string, string, string];
  const ms = parseInt(ms36, 36);
  const counter = parseInt(counter36, 36);
  if (!(ms <= MAX_MS) || !(counter <= MAX_COUNTER)) return undefined;
  return formatVersion(ms, counter, node);
}

/** tenant → table → record id → field → T */
export type Grouped<T> = Record<string, Partial<Record<SyncTable, Record<string, Record<string, T>>>>>;

/** A pushed field: `[value, wire version]`. */
export type WireField = [FieldValue, string];
/** A pulled field: `[value, wire version, author]`. */
export type WirePulledField = [FieldValue, string, string];

export const PushResult = z.object({ status: z.enum(['applied', 'superseded']), seq: z.string().optional() });
export type PushResult = z.infer<typeof PushResult>;

const grouped = <T extends z.ZodType>(leaf: T) =>
  z.record(z.string(), z.record(z.string(), z.record(z.string(), z.record(z.string(), leaf))));

/** The server's clock (ms since the epoch) as it answered: clients measure their clock's offset with it. */
const ServerTime = z.number().int().optional();

/** POST /sync/push answer: per pushed field its outcome, in the shape of the request. */
export const PushResponse = z.object({ results: grouped(PushResult), cursor: z.string(), time: ServerTime });
export type PushResponse = z.infer<typeof PushResponse>;

/** GET /sync/pull answer. The grouped changes are checked level by level in `decodePulled`. */
export const PullResponse = z.object({
  changes: z.record(z.string(), z.unknown()),
  cursor: z.string(),
  more: z.boolean(),
  time: ServerTime,
});
export type PullResponse = { changes: Grouped<WirePulledField>; cursor: string; more: boolean; time?: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isFieldValue(v: unknown): v is FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * Flattens a pulled page into changes with canonical versions, checking every level once (tenant,
 * table, record id per record; field, value, version, author per field) — the same rules as
 * `PulledChange`, without a schema parse per field. Throws naming the first malformed path.
 */
export function decodePulled(changes: Record<string, unknown>): PulledChange[] {
  const out: PulledChange[] = [];
  for (const [tenant, tables] of Object.entries(changes)) {
    if (!TenantId.safeParse(tenant).success || !isObject(tables)) throw new Error(`pulled ${tenant}: malformed`);
    for (const [table, records] of Object.entries(tables)) {
      const t = SyncTable.safeParse(table);
      if (!t.success || !isObject(records)) throw new Error(`pulled ${tenant}/${table}: malformed`);
      for (const [id, fields] of Object.entries(records)) {
        if (!UUID.test(id) || !isObject(fields)) throw new Error(`pulled ${tenant}/${table}/${id}: malformed`);
        for (const [field, leaf] of Object.entries(fields)) {
          const [value, wire, author] = Array.isArray(leaf) ? (leaf as unknown[]) : [];
          const version = typeof wire === 'string' ? fromWireVersion(wire) : undefined;
          if (
            !Array.isArray(leaf) ||
            leaf.length !== 3 ||
            !isSyncField(t.data, field) ||
            !isFieldValue(value) ||
            version === undefined ||
            typeof author !== 'string'
          ) {
            throw new Error(`pulled ${tenant}/${table}/${id}/${field}: malformed`);
          }
          out.push({ table: t.data, id, tenant, field, value, version, author });
        }
      }
    }
  }
  return out;
}

/** Calls `visit` for every leaf of a grouped map, with the keys that lead to it. */
export function forEachGrouped<T>(
  grouped: Record<string, Record<string, Record<string, Record<string, T>> | undefined>>,
  visit: (tenant: string, table: string, id: string, field: string, leaf: T) => void,
): void {
  for (const [tenant, tables] of Object.entries(grouped))
    for (const [table, records] of Object.entries(tables))
      for (const [id, fields] of Object.entries(records ?? {}))
        for (const [field, leaf] of Object.entries(fields)) visit(tenant, table, id, field, leaf);
}

/** Sets one leaf of a grouped map, creating the levels above it. */
export function setGrouped<T>(
  grouped: Grouped<T>,
  change: { tenant: string; table: SyncTable; id: string; field: string },
  leaf: T,
): void {
  const tables = (grouped[change.tenant] ??= {});
  const records = (tables[change.table] ??= {});
  (records[change.id] ??= {})[change.field] = leaf;
}

export function getGrouped<T>(
  grouped: Grouped<T> | Record<string, Record<string, Record<string, Record<string, T>>>>,
  change: { tenant: string; table: string; id: string; field: string },
): T | undefined {
  return (grouped as Record<string, Record<string, Record<string, Record<string, T>>> | undefined>)[change.tenant]?.[
    change.table
  ]?.[change.id]?.[change.field];
}

/**
 * The push body for changes. A field can appear once per push: callers send only the newest
 * pending write of a field (older ones are obsolete under last-writer-wins).
 */
export function encodePush(changes: readonly Change[]): { changes: Grouped<WireField> } {
  const body: Grouped<WireField> = {};
  for (const c of changes) {
    if (getGrouped(body, c) !== undefined) throw new Error(`${c.table} ${c.id} ${c.field} appears twice in one push`);
    setGrouped(body, c, [c.value, toWireVersion(c.version)]);
  }
  return { changes: body };
}

/** The path that names one item of a push in error messages: `tenant/table/id/field`. */
export function itemPath(...keys: string[]): string {
  return keys.join('/');
}
