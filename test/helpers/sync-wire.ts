/**
 * Tests speak flat changes; the wire groups them (protocol/sync-wire.ts). These helpers build raw
 * push bodies — also invalid ones, which `encodePush` would refuse to build — and flatten answers.
 */
import {
  HLC_PATTERN,
  forEachGrouped,
  fromWireVersion,
  toWireVersion,
  type FieldValue,
  type PushResult,
} from '../../protocol/index.js';

export interface LooseChange {
  table: string;
  id: string;
  tenant: string;
  field: string;
  value: unknown;
  version: string;
}

/** The push body for changes as given: a canonical version is sent compact, anything else verbatim. */
export function pushBody(changes: readonly LooseChange[]): {
  changes: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
} {
  const body: Record<string, Record<string, Record<string, Record<string, unknown>>>> = {};
  for (const c of changes) {
    const version = HLC_PATTERN.test(c.version) ? toWireVersion(c.version) : c.version;
    ((body[c.tenant] ??= {})[c.table] ??= {})[c.id] = { ...body[c.tenant]![c.table]![c.id], [c.field]: [c.value, version] };
  }
  return { changes: body };
}

export interface FlatPulled {
  table: string;
  id: string;
  tenant: string;
  field: string;
  value: FieldValue;
  version: string;
  author: string;
}

/** A pull answer's changes, flattened, with canonical versions. */
export function flatPulled(json: unknown): FlatPulled[] {
  const out: FlatPulled[] = [];
  const changes = (
    json as { changes: Record<string, Record<string, Record<string, Record<string, [FieldValue, string, string]>>>> }
  ).changes;
  forEachGrouped(changes, (tenant, table, id, field, [value, wire, author]) =>
    out.push({ table, id, tenant, field, value, version: fromWireVersion(wire) ?? `invalid:${wire}`, author }),
  );
  return out;
}

/** The push answer's result for each change, in the order of `changes`. */
export function flatResults(changes: readonly LooseChange[], json: unknown): (PushResult | undefined)[] {
  const results = (json as { results: Record<string, Record<string, Record<string, Record<string, PushResult>>>> }).results;
  return changes.map((c) => results[c.tenant]?.[c.table]?.[c.id]?.[c.field]);
}
