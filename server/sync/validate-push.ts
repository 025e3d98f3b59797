import {
  Change,
  INVALID_CONTRACT_CODE,
  INVALID_SCHEDULE_CODE,
  MAX_CLOCK_SKEW_MS,
  MAX_PUSH_CHANGES,
  MAX_VALUE_BYTES,
  SCHEDULE_READ_ONLY_CODE,
  SERVER_OWNED_TABLES,
  VERSION_IN_FUTURE_CODE,
  fromWireVersion,
  isSyncField,
  itemPath,
  describeFault,
  findUnstorable,
  parseVersion,
  scheduleFieldFault,
  contractFieldFault,
  contractRecordId,
  INVALID_MAIL_ITEM_CODE,
  mailFieldFault,
  type SyncTable,
} from '../../protocol/index.js';
import { SyncHttpError } from './errors.js';
import { firmScheduleRecordId } from './firm-schedule-id.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a whole push (wire form: tenant → table → id → field → [value, version]) before anything
 * touches the database and flattens it into changes. The first offending item is named by its path:
 * 400 malformed or unstorable (NUL, unpaired surrogates) or a schedule part that is not its JSON, 413 too
 * large, 403 not the caller's tenant, a server-owned table, or a table the caller may only read.
 */
export function validatePush(
  body: unknown,
  mayServe: (tenant: string) => boolean,
  now = Date.now(),
  mayWrite: (tenant: string, table: SyncTable, field?: string) => boolean = (tenant) => mayServe(tenant),
): Change[] {
  if (!isObject(body) || Object.keys(body).some((k) => k !== 'changes') || !isObject(body.changes)) {
    throw new SyncHttpError(
      400,
      'invalid_request',
      'the body must be {"changes": {tenant: {table: {id: {field: [value, version]}}}}}',
    );
  }
  const changes: Change[] = [];
  // Counted before the items are checked, so an oversized push is refused cheaply and as such.
  let count = 0;
  for (const tables of Object.values(body.changes))
    if (isObject(tables))
      for (const records of Object.values(tables))
        if (isObject(records))
          for (const fields of Object.values(records)) if (isObject(fields)) count += Object.keys(fields).length;
  if (count > MAX_PUSH_CHANGES) {
    throw new SyncHttpError(413, 'too_many_changes', `a push may hold at most ${MAX_PUSH_CHANGES} changes, got ${count}`);
  }
  const seen = new Map<string, string>();
  for (const [tenant, tables] of Object.entries(body.changes)) {
    const bad = (path: string, message: string, code = 'invalid_change', status: 400 | 403 | 413 = 400) =>
      new SyncHttpError(status, code, `${path}: ${message}`, path);
    if (!isObject(tables)) throw bad(itemPath(tenant), 'must map tables to records');
    for (const [table, records] of Object.entries(tables)) {
      if (!isObject(records)) throw bad(itemPath(tenant, table), 'must map record ids to fields');
      for (const [id, fields] of Object.entries(records)) {
        if (!isObject(fields)) throw bad(itemPath(tenant, table, id), 'must map fields to [value, version]');
        for (const [field, leaf] of Object.entries(fields)) {
          const path = itemPath(tenant, table, id, field);
          if (!Array.isArray(leaf) || leaf.length !== 2 || typeof leaf[1] !== 'string') {
            throw bad(path, 'must be [value, version]');
          }
          const version = fromWireVersion(leaf[1]);
          if (version === undefined) throw bad(path, 'version must be a compact HLC version (ms36.counter36.node)');
          const parsed = Change.safeParse({ table, id, tenant, field, value: leaf[0] as unknown, version });
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const where = String(issue?.path[0] ?? '');
            // name the level at fault: a bad tenant or table names only its key
            const at = where === 'tenant' ? itemPath(tenant) : where === 'table' ? itemPath(tenant, table) : path;
            throw bad(at, `${where ? `${where} ` : ''}${issue?.message ?? 'invalid'}`);
          }
          const change = parsed.data;
          if (!isSyncField(change.table, change.field)) {
            throw bad(path, `${change.table} has no field "${change.field}"`, 'unknown_field');
          }
          if (change.table === 'firm_schedule') {
            if (change.id !== firmScheduleRecordId(tenant)) {
              const message = `the schedule of ${tenant} is the record ${firmScheduleRecordId(tenant)}`;
              throw bad(itemPath(tenant, table, id), message, INVALID_SCHEDULE_CODE);
            }
            const wrong = scheduleFieldFault(change.field, change.value);
            if (wrong !== undefined) throw bad(path, wrong, INVALID_SCHEDULE_CODE);
          }
          if (change.table === 'firm_contract') {
            const wrong = contractFieldFault(change.field, change.value);
            if (wrong !== undefined) throw bad(path, wrong, INVALID_CONTRACT_CODE);
            // The id names the version: a valid_from other than the one it was derived from would fork it.
            if (change.field === 'valid_from' && change.id !== contractRecordId(tenant, String(change.value))) {
              const message = `the contract of ${tenant} from ${String(change.value)} is the record ${contractRecordId(tenant, String(change.value))}`;
              throw bad(itemPath(tenant, table, id), message, INVALID_CONTRACT_CODE);
            }
          }
          if (change.table === 'mail_item') {
            const wrong = mailFieldFault(change.field, change.value);
            if (wrong !== undefined) throw bad(path, wrong, INVALID_MAIL_ITEM_CODE);
          }
          // PostgreSQL's JSON refuses these inside the transaction; refused here, the client learns
          // which field it is instead of retrying an internal error forever.
          const fault = findUnstorable(change.value);
          if (fault) throw bad(path, `value contains a ${describeFault(fault)}, which cannot be stored`, fault.reason);
          const bytes = Buffer.byteLength(JSON.stringify(change.value));
          if (bytes > MAX_VALUE_BYTES) {
            throw bad(path, `value has ${bytes} bytes, at most ${MAX_VALUE_BYTES}`, 'value_too_large', 413);
          }
          const ahead = parseVersion(change.version).ms - now;
          if (ahead > MAX_CLOCK_SKEW_MS) {
            const message = `${path}: version is ${Math.round(ahead / 1000)} s ahead of the server's clock, at most ${MAX_CLOCK_SKEW_MS / 1000} s`;
            throw new SyncHttpError(400, VERSION_IN_FUTURE_CODE, message, path, undefined, now);
          }
          if (SERVER_OWNED_TABLES.includes(change.table)) {
            throw bad(itemPath(tenant, table), `${table} is written only by the server (directory)`, 'server_owned', 403);
          }
          if (!mayServe(tenant)) {
            throw bad(itemPath(tenant), `you may not write data of tenant ${tenant}`, 'forbidden_tenant', 403);
          }
          if (!mayWrite(tenant, change.table)) {
            throw bad(itemPath(tenant, table), `you may only read ${table} of tenant ${tenant}`, SCHEDULE_READ_ONLY_CODE, 403);
          }
          if (!mayWrite(tenant, change.table, change.field)) {
            throw bad(path, `you may not write ${table}.${change.field} of tenant ${tenant}`, SCHEDULE_READ_ONLY_CODE, 403);
          }
          const key = `${table}:${id}`;
          const owner = seen.get(key);
          if (owner !== undefined && owner !== tenant) {
            throw bad(itemPath(tenant, table, id), `${key} cannot belong to ${owner} and ${tenant}`, 'tenant_mismatch', 403);
          }
          seen.set(key, tenant);
          changes.push(change);
        }
      }
    }
  }
  return changes;
}
