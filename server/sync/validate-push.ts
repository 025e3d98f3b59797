import {
  Change,
  MAX_CLOCK_SKEW_MS,
  MAX_PUSH_CHANGES,
  MAX_VALUE_BYTES,
  SERVER_OWNED_TABLES,
  isSyncField,
  parseVersion,
} from '../../protocol/index.js';
import { SyncHttpError } from './errors.js';

/**
 * Checks a whole push before anything touches the database, naming the first offending item:
 * 400 malformed, 413 too large, 403 not the caller's tenant or a server-owned table.
 */
export function validatePush(body: unknown, mayServe: (tenant: string) => boolean, now = Date.now()): Change[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SyncHttpError(400, 'invalid_request', 'the body must be a JSON object {"changes": [...]}');
  }
  const keys = Object.keys(body);
  const raw = (body as { changes?: unknown }).changes;
  if (!Array.isArray(raw) || keys.some((k) => k !== 'changes')) {
    throw new SyncHttpError(400, 'invalid_request', 'the body must be {"changes": [...]} and nothing else');
  }
  if (raw.length > MAX_PUSH_CHANGES) {
    throw new SyncHttpError(413, 'too_many_changes', `a push may hold at most ${MAX_PUSH_CHANGES} changes, got ${raw.length}`);
  }
  const owners = new Map<string, string>();
  return raw.map((item, index) => {
    const parsed = Change.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.length ? `.${issue.path.join('.')}` : '';
      throw new SyncHttpError(400, 'invalid_change', `changes[${index}]${path}: ${issue?.message ?? 'invalid'}`, index);
    }
    const change = parsed.data;
    if (!isSyncField(change.table, change.field)) {
      throw new SyncHttpError(
        400,
        'unknown_field',
        `changes[${index}].field: ${change.table} has no field "${change.field}"`,
        index,
      );
    }
    const bytes = Buffer.byteLength(JSON.stringify(change.value));
    if (bytes > MAX_VALUE_BYTES) {
      throw new SyncHttpError(
        413,
        'value_too_large',
        `changes[${index}].value: ${bytes} bytes, at most ${MAX_VALUE_BYTES}`,
        index,
      );
    }
    if (parseVersion(change.version).ms > now + MAX_CLOCK_SKEW_MS) {
      throw new SyncHttpError(400, 'version_in_future', `changes[${index}].version: more than 24 h in the future`, index);
    }
    if (SERVER_OWNED_TABLES.includes(change.table)) {
      throw new SyncHttpError(
        403,
        'server_owned',
        `changes[${index}]: ${change.table} is written only by the server (directory)`,
        index,
      );
    }
    if (!mayServe(change.tenant)) {
      throw new SyncHttpError(
        403,
        'forbidden_tenant',
        `changes[${index}]: you may not write data of tenant ${change.tenant}`,
        index,
      );
    }
    const key = `${change.table}:${change.id}`;
    const owner = owners.get(key);
    if (owner !== undefined && owner !== change.tenant) {
      throw new SyncHttpError(
        403,
        'tenant_mismatch',
        `changes[${index}]: ${key} cannot belong to ${owner} and ${change.tenant}`,
        index,
      );
    }
    owners.set(key, change.tenant);
    return change;
  });
}
