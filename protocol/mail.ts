/**
 * The mail register (docs/mail-intake.md): the firm's letters and parcels as the office service
 * receives them — one `mail_item` record per piece, synced field by field like every record, its
 * scans `document` records attached to it (`attached_table = 'mail_item'`).
 *
 * The date of receipt starts legal deadlines: it is set when the item is registered and changes only
 * with a reason, which the item keeps (`received_log`). Every step of the status flow is logged with
 * who and when (`status_log`), so the office can prove what arrived and what became of it.
 */
import { z } from 'zod';
import type { MethodSpec } from './host-api.js';
import { NoInput } from './method-io.js';
import { RecordId, TenantId, type FieldValue } from './sync.js';

export const MAIL_KINDS = ['brief', 'einschreiben', 'rechnung', 'mahnung', 'behoerde', 'gericht', 'paket', 'sonstiges'] as const;
export const MailKind = z.enum(MAIL_KINDS);
export type MailKind = z.infer<typeof MailKind>;

/** The status flow; an item only moves forward (a step may be skipped: a parcel is never scanned). */
export const MAIL_STATUSES = ['eingegangen', 'gescannt', 'weitergeleitet', 'erledigt'] as const;
export const MailStatus = z.enum(MAIL_STATUSES);
export type MailStatus = z.infer<typeof MailStatus>;

/** What became of the paper once the item is erledigt. */
export const MailDisposition = z.enum(['archiviert', 'vernichtet', 'ausgehaendigt']);
export type MailDisposition = z.infer<typeof MailDisposition>;

/** Kinds whose paper is never destroyed without the craftsman's confirmation (`disposal_confirmed_by`). */
export const CONFIRM_BEFORE_DESTROYING: readonly MailKind[] = ['einschreiben', 'gericht', 'behoerde'];

export function mayMoveTo(from: MailStatus, to: MailStatus): boolean {
  return MAIL_STATUSES.indexOf(to) > MAIL_STATUSES.indexOf(from);
}

/**
 * Whether an item may be marked `vernichtet`: for the kinds above only after the craftsman confirmed
 * (the store and the server both ask this; the server refuses a push that breaks it).
 */
export function mayDestroy(kind: MailKind, disposalConfirmedBy: string | null): boolean {
  return !CONFIRM_BEFORE_DESTROYING.includes(kind) || Boolean(disposalConfirmedBy);
}

/**
 * Years a scan is kept after the item is erledigt, by kind (German retention practice: invoices
 * 8 years since 2025, business letters 6). A setting of the office overrides each.
 */
export const DEFAULT_RETENTION_YEARS: Readonly<Record<MailKind, number>> = {
  brief: 6,
  einschreiben: 6,
  rechnung: 8,
  mahnung: 6,
  behoerde: 6,
  gericht: 6,
  paket: 1,
  sonstiges: 6,
};

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** One change of the date of receipt, as `received_log` keeps it (JSON text in sync). */
export const ReceiptChange = z.object({ from: Day, to: Day, reason: z.string().min(1), by: z.string(), at: z.string() });
export type ReceiptChange = z.infer<typeof ReceiptChange>;
/** One step of the status flow, as `status_log` keeps it (JSON text in sync). */
export const StatusStep = z.object({
  status: MailStatus,
  disposition: MailDisposition.nullable().optional(),
  comment: z.string().nullable().optional(),
  by: z.string(),
  at: z.string(),
});
export type StatusStep = z.infer<typeof StatusStep>;

export const MailItem = z.object({
  id: RecordId,
  tenant: TenantId,
  received_on: Day,
  received_log: z.array(ReceiptChange),
  sender: z.string(),
  kind: MailKind,
  subject: z.string().nullable(),
  /** The deadline the letter names (Frist), if any. */
  deadline: Day.nullable(),
  /** Who handles it: a user id. */
  handler: z.string().nullable(),
  status: MailStatus,
  status_log: z.array(StatusStep),
  disposition: MailDisposition.nullable(),
  disposal_confirmed_by: z.string().nullable(),
  /** When the firm's craftsman first opened it (his Post screen shows unread first). */
  read_at: z.string().nullable(),
  /** The ids of the item's `document` records (its scans), oldest first. */
  documents: z.array(RecordId),
  created_at: z.string(),
  updated_at: z.string(),
});
export type MailItem = z.infer<typeof MailItem>;

const Text = z.string().max(2000);
export const MailItemCreate = z.strictObject({
  tenant: TenantId,
  /** Defaults to today (Europe/Berlin); a past day needs `received_reason`. */
  received_on: Day.optional(),
  received_reason: Text.optional(),
  sender: Text.min(1),
  kind: MailKind,
  subject: Text.nullable().optional(),
  deadline: Day.nullable().optional(),
  handler: Text.nullable().optional(),
});
export type MailItemCreate = z.infer<typeof MailItemCreate>;
export const MailItemPatch = z.strictObject({
  sender: Text.min(1).optional(),
  kind: MailKind.optional(),
  subject: Text.nullable().optional(),
  deadline: Day.nullable().optional(),
  handler: Text.nullable().optional(),
});

/** Refusal codes of the register, each with its German text under `mail.errors.<code>` in the app. */
export const MAIL_ERRORS = {
  /** A status step backwards. */
  backwards: 'mail_status_backwards',
  /** `vernichtet` for Einschreiben, Gericht or Behörde without the craftsman's confirmation. */
  unconfirmedDestruction: 'mail_destroy_unconfirmed',
  /** A new date of receipt without a reason. */
  receiptReason: 'mail_receipt_reason',
  /** `erledigt` without a disposition. */
  noDisposition: 'mail_no_disposition',
  /** Sync API only: a push naming someone else than the pushing craftsman as `disposal_confirmed_by`. */
  foreignConfirmation: 'mail_confirm_foreign',
} as const;

/**
 * Fields of a `mail_item` only the firm's craftsman writes: that he opened it, that its paper may go.
 * Everything else is the office's (teleworker, lead), except the status flow, which he may move too
 * ("erledigt" with a comment on his Post screen). The server enforces both (docs/security.md).
 */
export const CRAFTSMAN_MAIL_FIELDS: readonly string[] = ['read_at', 'disposal_confirmed_by'];
/** What a craftsman may write of his firm's mail items: his fields and the status flow. */
export const CRAFTSMAN_WRITABLE_MAIL_FIELDS: readonly string[] = [
  ...CRAFTSMAN_MAIL_FIELDS,
  'status',
  'status_log',
  'disposition',
];

/** A pushed `mail_item` value that is not what its field holds (HTTP 400, the field named). */
export const INVALID_MAIL_ITEM_CODE = 'invalid_mail_item';

const MAIL_FIELD_SHAPES: Readonly<Record<string, z.ZodType>> = {
  received_on: Day,
  deadline: Day.nullable(),
  kind: MailKind,
  status: MailStatus,
  disposition: MailDisposition.nullable(),
};
const MAIL_LOG_SHAPES: Readonly<Record<string, z.ZodType>> = {
  received_log: z.array(ReceiptChange),
  status_log: z.array(StatusStep),
};

/**
 * Why a pushed `mail_item` value is not one its field may hold, or undefined: every app shows the
 * register, so a value it could not read is refused at the server, never stored.
 */
export function mailFieldFault(field: string, value: FieldValue): string | undefined {
  const shape = MAIL_FIELD_SHAPES[field];
  if (shape) return shape.safeParse(value).success ? undefined : `${field} must be ${describeShape(field)}`;
  const log = MAIL_LOG_SHAPES[field];
  if (!log) return undefined;
  if (typeof value !== 'string') return `${field} must be JSON text`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return `${field} is not valid JSON`;
  }
  const result = log.safeParse(parsed);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return `${field}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`;
}

function describeShape(field: string): string {
  if (field === 'kind') return `one of ${MAIL_KINDS.join(', ')}`;
  if (field === 'status') return `one of ${MAIL_STATUSES.join(', ')}`;
  if (field === 'disposition') return `null or one of ${MailDisposition.options.join(', ')}`;
  return field === 'deadline' ? 'null or a date YYYY-MM-DD' : 'a date YYYY-MM-DD';
}

/** A scan due for deletion under the retention rules: the lead confirms before anything goes. */
export const RetentionDue = z.object({
  item: MailItem,
  /** The day the retention period ended. */
  dueSince: Day,
});
export type RetentionDue = z.infer<typeof RetentionDue>;

const Page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) };

export const mailMethods = {
  /** The register: open items first, then by date of receipt, newest first. */
  'mail.list': {
    input: z.strictObject({
      tenant: TenantId.optional(),
      status: MailStatus.optional(),
      unread: z.boolean().optional(),
      ...Page,
    }),
    output: z.array(MailItem),
  },
  'mail.get': { input: z.strictObject({ id: RecordId }), output: MailItem },
  'mail.register': { input: MailItemCreate, output: MailItem },
  'mail.update': { input: z.strictObject({ id: RecordId, patch: MailItemPatch }), output: MailItem },
  'mail.changeReceipt': { input: z.strictObject({ id: RecordId, received_on: Day, reason: Text.min(1) }), output: MailItem },
  /** One step forward; `erledigt` needs a disposition. */
  'mail.advance': {
    input: z.strictObject({
      id: RecordId,
      status: MailStatus,
      disposition: MailDisposition.optional(),
      comment: Text.optional(),
    }),
    output: MailItem,
  },
  /** The craftsman allows the paper of an Einschreiben, Gericht or Behörde item to be destroyed. */
  'mail.confirmDisposal': { input: z.strictObject({ id: RecordId }), output: MailItem },
  'mail.markRead': { input: z.strictObject({ id: RecordId }), output: MailItem },
  /** The lead's list of scans past their retention period. */
  'mail.retentionDue': { input: NoInput, output: z.array(RetentionDue) },
  /**
   * The lead confirms: the items' documents are deleted (synced tombstones; the server drops
   * unreferenced bytes). Only items that are due; `purged` counts the documents deleted.
   */
  'mail.purge': {
    input: z.strictObject({ ids: z.array(RecordId).min(1).max(500) }),
    output: z.object({ purged: z.number().int() }),
  },
} as const satisfies Record<string, MethodSpec>;

export const mailEvents = {
  /** New mail of a firm this profile serves arrived by sync (the craftsman's desktop notification). */
  'mail.arrived': z.object({ id: RecordId, tenant: TenantId, sender: z.string(), kind: MailKind, deadline: Day.nullable() }),
} as const;
