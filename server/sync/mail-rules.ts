import { MAIL_ERRORS, MailKind, itemPath, mayDestroy, type Change, type FieldValue } from '../../protocol/index.js';
import type { Queryable } from '../db/database.js';
import { SyncHttpError } from './errors.js';

/** The fields the rules read, pushed or stored. */
const RULE_FIELDS = ['kind', 'disposition', 'disposal_confirmed_by', 'received_on', 'received_log'] as const;
type RuleField = (typeof RULE_FIELDS)[number];

/**
 * The mail register's rules as the server holds them, whatever a client sends (docs/security.md):
 * - an Einschreiben, Gericht or Behörde item is `vernichtet` only with `disposal_confirmed_by` (403);
 * - `disposal_confirmed_by` names the craftsman who pushes it, never someone else (403);
 * - a changed date of receipt comes with a `received_log` that records this change (400).
 * Each record is judged by its pushed values over its stored ones. Runs in the push transaction
 * after the write lock, so the stored values cannot change underneath.
 */
export async function checkMailRules(tx: Queryable, changes: readonly Change[], pusher: string): Promise<void> {
  const pushed = new Map<string, { tenant: string; fields: Map<string, Change> }>();
  for (const change of changes) {
    if (change.table !== 'mail_item') continue;
    let record = pushed.get(change.id);
    if (!record) pushed.set(change.id, (record = { tenant: change.tenant, fields: new Map() }));
    const before = record.fields.get(change.field);
    if (!before || before.version < change.version) record.fields.set(change.field, change);
  }
  if (pushed.size === 0) return;
  const { rows } = await tx.query<{ id: string; field: RuleField; value: FieldValue | null }>(
    `SELECT id::text AS id, field, value FROM field_state
      WHERE tbl = 'mail_item' AND id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)
        AND field IN (SELECT jsonb_array_elements_text($2::jsonb))`,
    [JSON.stringify([...pushed.keys()]), JSON.stringify(RULE_FIELDS)],
  );
  const stored = new Map<string, Map<RuleField, FieldValue | null>>();
  for (const row of rows) {
    let fields = stored.get(row.id);
    if (!fields) stored.set(row.id, (fields = new Map<RuleField, FieldValue | null>()));
    fields.set(row.field, row.value ?? null);
  }
  for (const [id, { tenant, fields }] of pushed) {
    const old = stored.get(id) ?? new Map<RuleField, FieldValue | null>();
    const value = (field: RuleField): FieldValue | null =>
      fields.has(field) ? fields.get(field)!.value : (old.get(field) ?? null);
    const path = (field: string) => itemPath(tenant, 'mail_item', id, field);

    const confirmation = fields.get('disposal_confirmed_by');
    if (confirmation && confirmation.value !== null && confirmation.value !== pusher) {
      throw new SyncHttpError(
        403,
        MAIL_ERRORS.foreignConfirmation,
        `${path('disposal_confirmed_by')}: a craftsman confirms for himself, not as ${String(confirmation.value)}`,
        path('disposal_confirmed_by'),
      );
    }
    if (fields.has('kind') || fields.has('disposition') || fields.has('disposal_confirmed_by')) {
      const kind = MailKind.safeParse(value('kind'));
      const confirmedBy = value('disposal_confirmed_by');
      if (
        value('disposition') === 'vernichtet' &&
        kind.success &&
        !mayDestroy(kind.data, typeof confirmedBy === 'string' ? confirmedBy : null)
      ) {
        const at = fields.has('disposition') ? 'disposition' : fields.has('kind') ? 'kind' : 'disposal_confirmed_by';
        throw new SyncHttpError(
          403,
          MAIL_ERRORS.unconfirmedDestruction,
          `${path(at)}: a ${kind.data} item is vernichtet only after its craftsman confirmed it`,
          path(at),
        );
      }
    }
    const receipt = fields.get('received_on');
    const before = old.get('received_on');
    if (
      receipt &&
      typeof before === 'string' &&
      receipt.value !== before &&
      !logsChange(fields.get('received_log'), old, receipt.value)
    ) {
      throw new SyncHttpError(
        400,
        MAIL_ERRORS.receiptReason,
        `${path('received_on')}: a new date of receipt must come with a received_log entry to ${String(receipt.value)} with a reason`,
        path('received_on'),
      );
    }
  }
}

/**
 * Whether the item's log records the change to `to`: its last entry (pushed over stored) leads to
 * the new day with a reason, and a pushed log adds to the stored one. Several changes made offline
 * arrive as one push of the newest day and the whole log; a log pushed before its day (two pushes)
 * is found stored.
 */
function logsChange(pushed: Change | undefined, old: Map<RuleField, FieldValue | null>, to: FieldValue): boolean {
  const stored = parseArray(old.get('received_log') ?? null) ?? [];
  const entries = pushed ? parseArray(pushed.value) : stored;
  if (!entries || (pushed && entries.length <= stored.length)) return false;
  const last = entries.at(-1) as { to?: unknown; reason?: unknown } | null | undefined;
  return (
    typeof last === 'object' &&
    last !== null &&
    last.to === to &&
    typeof last.reason === 'string' &&
    last.reason.trim().length > 0
  );
}

function parseArray(value: FieldValue | null): unknown[] | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
