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
  ],
  appointment: ['contact_id', 'call_id', 'starts_at', 'ends_at', 'place', 'subject', 'notes', 'status', '_deleted'],
  /** One record per tenant; each field is one part of the schedule as JSON text (firm-schedule.ts). */
  firm_schedule: ['bundesland', 'consultation', 'service', 'closures', 'emergency', 'override', '_deleted'],
  /**
   * A file of a firm (a scan, a photo): `blob_sha256` names its bytes (protocol/blobs.ts), which travel
   * apart from the record; `attached_table`/`attached_id` the record it belongs to, if any.
   */
  document: ['blob_sha256', 'name', 'mime', 'size', 'attached_table', 'attached_id', '_deleted'],
} as const;

export type SyncTable = keyof typeof SYNC_FIELDS;
export const SyncTable = z.enum(Object.keys(SYNC_FIELDS) as [SyncTable, ...SyncTable[]]);
/** Tables only the server writes (from the directory); a client push to them is refused with 403. */
export const SERVER_OWNED_TABLES: readonly SyncTable[] = ['tenant'];

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

/** Messages on the live WebSocket GET /sync/live: a nudge to pull, never the data itself. */
export const LiveMessage = z.object({ type: z.literal('changes'), cursor: z.string() });
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
