/**
 * The sync API between a client's store and the central server (docs/sync-protocol.md).
 * A change is one field of one record at one version; records never move between tenants.
 */
import { z } from 'zod';
import { HLC_PATTERN } from './hlc.js';
import { IdentityRole } from './identity.js';

/** Fields that clients may sync per table. `_deleted` is the tombstone: a field like any other. */
export const SYNC_FIELDS = {
  tenant: ['name', 'numbers', 'greeting', 'hours', 'mobile', '_deleted'],
  contact: ['name', 'company', 'email', 'street', 'postal_code', 'city', 'notes', '_deleted'],
  contact_phone: ['contact_id', 'kind', 'number', '_deleted'],
  call: [
    'direction',
    'remote_number',
    'dialled_number',
    'contact_id',
    'started_at',
    'answered_at',
    'ended_at',
    'outcome',
    'taken_by',
    '_deleted',
    // Added later, so after the tombstone: a field's index is part of outbox ids (record-entry.ts).
    /** The customer call this leg belongs to (a consultation, the call a transfer brought): history shows one row. */
    'parent_id',
    /** Where the call went: a colleague's user id or a number (blind, attended or mobile transfer). */
    'transferred_to',
    /** The far end is a colleague (internal leg): no callback offered. */
    'internal',
    // What only the app knows of a call (docs/billing.md); appended, since a field's index names it.
    /** The PBX's Call-ID of the customer's leg: joins these facts to the call detail record. */
    'pbx_call_id',
    /** Whole seconds on hold, after-call work (hang-up until the note was saved), connected time as the app saw it. */
    'hold_seconds',
    'after_call_work_seconds',
    'app_talk_seconds',
    /** "nicht berechnen": the reason (spam, falsche Nummer, …), and the lead who confirmed it. */
    'no_bill_reason',
    'no_bill_confirmed_by',
  ],
  note: [
    'call_id',
    'contact_id',
    'subject',
    'body',
    'callback_requested',
    'callback_number',
    'callback_due',
    'status',
    'assignee',
    '_deleted',
    // The message form of the call card (added later, so after the tombstone; see call).
    'urgency',
    'caller_name',
    'caller_number',
    /** Who took the message: the user id of the desk that wrote it. */
    'author',
  ],
  appointment: ['contact_id', 'call_id', 'starts_at', 'ends_at', 'place', 'subject', 'notes', 'status', '_deleted'],
  /** One record per tenant; each field is one part of the schedule as JSON text (firm-schedule.ts). */
  firm_schedule: [
    'bundesland',
    'consultation',
    'service',
    'closures',
    'emergency',
    'override',
    '_deleted',
    /** The office's own working hours (OFFICE_HOURS_FIELD); appended, since a field's index names it. */
    'office_hours',
  ],
  /** One record per tenant and valid-from day (protocol/firm-contract.ts): the terms as JSON text. */
  firm_contract: ['valid_from', 'terms', '_deleted'],
  /** Something the lead bills a firm per piece besides calls and appointments. */
  billing_item: ['date', 'description', 'quantity', 'unit_cents', '_deleted'],
  /**
   * A budget firm's consumption of its current period, written by the server from the PBX's CDRs
   * (server/metering/budget-usage.ts): one record per tenant; whole numbers as decimal text.
   */
  firm_usage: ['period', 'used_seconds', 'included_seconds', 'percent', 'alert_craftsman', '_deleted'],
  /**
   * A file of a firm (a scan, a photo): `blob_sha256` names its bytes (protocol/blobs.ts), which travel
   * apart from the record; `attached_table`/`attached_id` the record it belongs to, if any.
   */
  document: ['blob_sha256', 'name', 'mime', 'size', 'attached_table', 'attached_id', '_deleted'],
  /**
   * A piece of the firm's mail as the office received it (protocol/mail.ts); the two logs are JSON
   * text, the scans are `document` records attached to it.
   */
  mail_item: [
    'received_on',
    'received_log',
    'sender',
    'kind',
    'subject',
    'deadline',
    'handler',
    'status',
    'status_log',
    'disposition',
    'disposal_confirmed_by',
    'read_at',
    '_deleted',
  ],
} as const;

export type SyncTable = keyof typeof SYNC_FIELDS;
export const SyncTable = z.enum(Object.keys(SYNC_FIELDS) as [SyncTable, ...SyncTable[]]);
/** Tables only the server writes (from the directory); a client push to them is refused with 403. */
export const SERVER_OWNED_TABLES: readonly SyncTable[] = ['tenant', 'firm_usage'];
/** Tables only a lead writes (and the server); a craftsman reads his own firm's, a teleworker none. */
export const LEAD_TABLES: readonly SyncTable[] = ['firm_contract', 'billing_item'];
/** A firm's billing, which a teleworker never pulls: the lead's tables and the firm's budget consumption. */
export const BILLING_TABLES: readonly SyncTable[] = [...LEAD_TABLES, 'firm_usage'];
/** Fields only a lead writes, whoever else may write the record. */
export const LEAD_FIELDS: Readonly<Partial<Record<SyncTable, readonly string[]>>> = {
  call: ['no_bill_confirmed_by'],
  firm_schedule: ['office_hours'],
};

export const MAX_VALUE_BYTES = 64 * 1024;
export const MAX_PUSH_CHANGES = 1000;
export const MAX_PUSH_BYTES = 4 * 1024 * 1024;
export const MAX_PULL_LIMIT = 5000;

export const RecordId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID');
export const TenantId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a tenant id (a-z, 0-9, _ and -)');
export const Version = z.string().regex(HLC_PATTERN, 'must be an HLC version');
export const FieldValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
export type FieldValue = z.infer<typeof FieldValue>;

export const Change = z.strictObject({
  table: SyncTable,
  id: RecordId,
  tenant: TenantId,
  field: z.string().max(64),
  value: FieldValue,
  version: Version,
});
export type Change = z.infer<typeof Change>;

export function isSyncField(table: SyncTable, field: string): boolean {
  return (SYNC_FIELDS[table] as readonly string[]).includes(field);
}

/** A change as a pull delivers it: with the user (certificate CN) who wrote the value. */
export const PulledChange = Change.extend({ author: z.string() });
export type PulledChange = z.infer<typeof PulledChange>;

/**
 * Messages on the live WebSocket GET /sync/live: a nudge to pull, never the data itself; `blob` says
 * that a document's bytes are stored now (a record naming them may have come before them). A client
 * that does not know a type ignores it.
 */
export const LiveMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('changes'), cursor: z.string() }),
  z.object({ type: z.literal('blob'), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
]);
export type LiveMessage = z.infer<typeof LiveMessage>;

/**
 * Error bodies of the sync API: `item` names the offending part of a push as a path
 * `tenant[/table[/id[/field]]]` (the wire form's keys), as deep as the fault lies.
 */
export const SyncErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    item: z.string().optional(),
    /** With `unsupported_wire_version` (HTTP 426): the wire versions this server accepts. */
    supported: z.object({ min: z.number().int(), max: z.number().int() }).optional(),
    /** With `version_in_future`: the server's clock (ms since the epoch) when it refused. */
    serverTime: z.number().int().optional(),
  }),
});

/**
 * A pushed version more than `MAX_CLOCK_SKEW_MS` ahead of the server's clock (HTTP 400, `item` names
 * the field, `serverTime` the server's clock). Not a refusal of the change: the client corrects its
 * clock, stamps its unacknowledged changes again and pushes them.
 */
export const VERSION_IN_FUTURE_CODE = 'version_in_future';
export type SyncErrorBody = z.infer<typeof SyncErrorBody>;

/** GET /directory/me: who the certificate belongs to, the tenants they serve, and the people they may see. */
export const DirectoryTenant = z.object({
  id: TenantId,
  name: z.string(),
  numbers: z.array(z.string()),
  mobile: z.string().optional(),
  greeting: z.string().optional(),
  hours: z.string().optional(),
});
export const DirectoryPerson = z.object({
  id: z.string(),
  name: z.string(),
  role: IdentityRole,
  tenants: z.array(TenantId),
});
export const DirectoryMe = z.object({
  user: DirectoryPerson,
  tenants: z.array(DirectoryTenant),
  colleagues: z.array(DirectoryPerson),
});
export type DirectoryMe = z.infer<typeof DirectoryMe>;
