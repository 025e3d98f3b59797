/**
 * The local store's host API: firms (tenants), contacts with typed phone numbers, calls, notes and
 * appointments, caller lookup, search as you type, import and export (docs/store.md).
 *
 * Field names are the sync field names of `SYNC_FIELDS` (snake_case), so a record the UI edits maps
 * 1:1 onto the field changes the sync engine pushes. Text limits are checked by the store, which
 * answers `too_large` naming the field; the schemas here only cap what may cross the seam at all.
 */
import { z } from 'zod';
import { BillingContract } from './billing-contract.js';
import { BillingItem, BillingItemSave } from './billing-items.js';
import { NoInput, Void } from './method-io.js';
import { Page, Text, Timestamp } from './store-fields.js';
import { ExportRequest, ImportReport, ImportRequest } from './store-import.js';
import {
  AppointmentCreate,
  AppointmentPatch,
  Appointment,
  Call,
  CallCreate,
  CallPatch,
  CallerLookup,
  Contact,
  ContactCreate,
  ContactHit,
  ContactPatch,
  Note,
  NoteCreate,
  NotePatch,
  NoteStatus,
  PhoneKind,
  Tenant,
} from './store-records.js';
import { RecordId, TenantId } from './sync.js';

export { MAX_IMPORT_TEXT_BYTES, STORE_LIMITS } from './store-fields.js';
export * from './store-import.js';
export * from './store-records.js';

export const StoreStatus = z.object({
  path: z.string(),
  /** Where an unreadable database was moved at startup; the UI tells the user once. */
  recoveredFrom: z.string().nullable(),
  schemaVersion: z.number().int(),
  contacts: z.number().int(),
  pendingChanges: z.number().int(),
});

/** A budget firm's consumption of its current period (docs/billing.md), as the server last computed it. */
export const FirmUsage = z.object({
  tenant: TenantId,
  /** YYYY-MM or the week's Monday YYYY-MM-DD. */
  period: z.string(),
  usedSeconds: z.number(),
  includedSeconds: z.number(),
  percent: z.number(),
  alertCraftsman: z.boolean(),
});
export type FirmUsage = z.infer<typeof FirmUsage>;

export const StoreTable = z.enum([
  'tenant',
  'contact',
  'contact_phone',
  'call',
  'note',
  'appointment',
  'firm_schedule',
  'firm_contract',
  'billing_item',
  'firm_usage',
  'document',
  'mail_item',
]);
export const StoreChanged = z.object({
  table: StoreTable,
  ids: z.array(z.string()),
  /** `local` for the user's own writes, `sync` for pulled ones, `import` for imports. */
  source: z.enum(['local', 'sync', 'import']),
});
export type StoreChanged = z.infer<typeof StoreChanged>;

const Id = z.strictObject({ id: RecordId });
const TenantFilter = TenantId.optional();

export const storeMethods = {
  'store.status': { input: NoInput, output: StoreStatus },
  'tenants.list': { input: NoInput, output: z.array(Tenant) },
  /** A firm's contract versions, oldest first (all firms' without a tenant); the lead edits them. */
  'contracts.list': {
    input: z.strictObject({ tenant: TenantFilter }),
    output: z.array(z.object({ tenantId: TenantId, contract: BillingContract })),
  },
  /** Saves a contract version (a lead's; the server refuses anyone else's). */
  'contracts.save': {
    input: z.strictObject({ tenant: TenantId, contract: BillingContract }),
    output: z.object({ tenantId: TenantId, contract: BillingContract }),
  },
  /** A firm's items billed per piece, by date (all firms' without a tenant); the lead edits them. */
  'billingItems.list': { input: z.strictObject({ tenant: TenantFilter }), output: z.array(BillingItem) },
  /** Adds an item, or replaces an existing one's fields (a lead's; the server refuses anyone else's). */
  'billingItems.save': { input: BillingItemSave, output: BillingItem },
  'billingItems.delete': { input: Id, output: Void },
  /** The budget firms' consumption this profile may see (the lead every firm's, a craftsman his own). */
  'billing.usage': { input: NoInput, output: z.array(FirmUsage) },
  'contacts.list': {
    input: z.strictObject({ tenant: TenantFilter, ...Page }),
    output: z.object({ items: z.array(Contact), total: z.number().int() }),
  },
  'contacts.get': { input: Id, output: Contact },
  'contacts.create': { input: ContactCreate, output: Contact },
  'contacts.update': { input: z.strictObject({ id: RecordId, patch: ContactPatch }), output: Contact },
  'contacts.delete': { input: Id, output: Void },
  'contacts.addPhone': { input: z.strictObject({ contact_id: RecordId, kind: PhoneKind, number: Text }), output: Contact },
  'contacts.updatePhone': {
    input: z.strictObject({ id: RecordId, kind: PhoneKind.optional(), number: Text.optional() }),
    output: Contact,
  },
  'contacts.removePhone': { input: Id, output: Contact },
  'contacts.search': {
    input: z.strictObject({
      query: z.string().max(200),
      tenant: TenantFilter,
      limit: z.number().int().min(1).max(100).default(20),
    }),
    output: z.array(ContactHit),
  },
  'lookup.caller': {
    input: z.strictObject({ number: z.string().max(100), dialled: z.string().max(100).optional() }),
    output: CallerLookup,
  },
  'lookup.tenantByNumber': { input: z.strictObject({ number: z.string().max(100) }), output: Tenant.nullable() },
  'calls.list': {
    input: z.strictObject({
      tenant: TenantFilter,
      contact_id: RecordId.optional(),
      missed: z.boolean().optional(),
      ...Page,
    }),
    output: z.array(Call),
  },
  'calls.create': { input: CallCreate, output: Call },
  'calls.update': { input: z.strictObject({ id: RecordId, patch: CallPatch }), output: Call },
  'notes.list': {
    input: z.strictObject({
      tenant: TenantFilter,
      status: NoteStatus.optional(),
      contact_id: RecordId.optional(),
      call_id: RecordId.optional(),
      callback: z.boolean().optional(),
      ...Page,
    }),
    output: z.array(Note),
  },
  'notes.get': { input: Id, output: Note },
  'notes.create': { input: NoteCreate, output: Note },
  'notes.update': { input: z.strictObject({ id: RecordId, patch: NotePatch }), output: Note },
  'appointments.list': {
    input: z.strictObject({
      tenant: TenantFilter,
      contact_id: RecordId.optional(),
      from: Timestamp.optional(),
      to: Timestamp.optional(),
      ...Page,
    }),
    output: z.array(Appointment),
  },
  'appointments.create': { input: AppointmentCreate, output: Appointment },
  'appointments.update': { input: z.strictObject({ id: RecordId, patch: AppointmentPatch }), output: Appointment },
  'store.import': { input: ImportRequest, output: ImportReport },
  'store.exportVcard': { input: ExportRequest, output: z.object({ text: z.string(), count: z.number().int() }) },
} as const;

export const storeEvents = {
  'store.changed': StoreChanged,
  /** Sent after every committed batch of an import, and once more with `done: true`. */
  'store.importProgress': ImportReport,
} as const;

/**
 * Tenant records are keyed in sync by a UUID derived from the firm's slug (UUIDv5 in this
 * namespace), so the server and every client name the same firm record without coordination.
 */
export const TENANT_RECORD_NAMESPACE = '6f1c0b9e-4d2a-5c3b-8e7f-1a2b3c4d5e6f';
