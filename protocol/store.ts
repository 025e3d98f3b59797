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
import { MAX_VALUE_BYTES, RecordId, TenantId } from './sync.js';
import { normalizeLineBreaks } from './text-values.js';

/** Documented maximum lengths in characters (`MAX_VALUE_BYTES` for long text is in UTF-8 bytes). */
export const STORE_LIMITS = {
  name: 500,
  company: 500,
  email: 320,
  street: 500,
  postal_code: 20,
  city: 200,
  number: 64,
  subject: 500,
  place: 500,
  taken_by: 200,
  assignee: 200,
  author: 200,
  transferred_to: 200,
  longTextBytes: MAX_VALUE_BYTES,
} as const;
/** Largest import passed as text (the browser shell has no file dialog); paths have no limit. */
export const MAX_IMPORT_TEXT_BYTES = 32 * 1024 * 1024;

/**
 * Seam cap: well above the documented limits so the store, not the schema, explains an overlong
 * value. Line breaks arrive as LF (`normalizeLineBreaks`); other characters the store cannot keep
 * faithfully are refused by the store with `invalid_characters`, naming the field.
 */
const Text = z
  .string()
  .max(MAX_VALUE_BYTES * 4)
  .transform(normalizeLineBreaks);
const OptText = Text.nullable().optional();
const Timestamp = z.iso.datetime({ offset: true });
const Page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) };

export const PhoneKind = z.enum(['mobile', 'work', 'home', 'fax', 'other']);
export type PhoneKind = z.infer<typeof PhoneKind>;
export const CallDirection = z.enum(['in', 'out']);
export const CallOutcome = z.enum(['answered', 'missed', 'busy', 'rejected', 'failed', 'forwarded', 'voicemail']);
export type CallOutcome = z.infer<typeof CallOutcome>;
export const NoteStatus = z.enum(['open', 'done']);
/** A message's urgency on the call card's form; `urgent` ("dringend") sorts first in the inbox. */
export const NoteUrgency = z.enum(['normal', 'urgent']);
export type NoteUrgency = z.infer<typeof NoteUrgency>;
export const AppointmentStatus = z.enum(['planned', 'confirmed', 'cancelled', 'done']);

export const Tenant = z.object({
  id: RecordId,
  tenant: TenantId,
  name: z.string(),
  numbers: z.array(z.string()),
  greeting: z.string().nullable(),
  hours: z.string().nullable(),
  mobile: z.string().nullable(),
});
export type Tenant = z.infer<typeof Tenant>;

export const ContactPhone = z.object({
  id: RecordId,
  contact_id: RecordId,
  kind: PhoneKind,
  /** As entered, verbatim. */
  number: z.string(),
  /** E.164 when the number parses as valid; null marks it invalid (excluded from lookup). */
  e164: z.string().nullable(),
  valid: z.boolean(),
});
export type ContactPhone = z.infer<typeof ContactPhone>;

const contactFields = {
  name: z.string(),
  company: z.string().nullable(),
  email: z.string().nullable(),
  street: z.string().nullable(),
  postal_code: z.string().nullable(),
  city: z.string().nullable(),
  notes: z.string().nullable(),
};
export const Contact = z.object({
  id: RecordId,
  tenant: TenantId,
  ...contactFields,
  phones: z.array(ContactPhone),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Contact = z.infer<typeof Contact>;

export const PhoneInput = z.strictObject({ kind: PhoneKind.default('other'), number: Text });
export const ContactPatch = z.strictObject({
  name: Text.optional(),
  company: OptText,
  email: OptText,
  street: OptText,
  postal_code: OptText,
  city: OptText,
  notes: OptText,
});
export type ContactPatch = z.infer<typeof ContactPatch>;
export const ContactCreate = ContactPatch.extend({
  tenant: TenantId,
  name: Text,
  phones: z.array(PhoneInput).max(50).default([]),
});
export type ContactCreate = z.infer<typeof ContactCreate>;

export const ContactHit = z.object({ contact: Contact, rank: z.number() });

export const Call = z.object({
  id: RecordId,
  tenant: TenantId,
  direction: CallDirection,
  remote_number: z.string(),
  dialled_number: z.string().nullable(),
  contact_id: RecordId.nullable(),
  started_at: z.string(),
  answered_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  outcome: CallOutcome.nullable(),
  taken_by: z.string().nullable(),
  /** The customer call this leg belongs to (consultation, transfer); null for a call of its own. */
  parent_id: RecordId.nullable(),
  /** A colleague's user id or a number the call was transferred to. */
  transferred_to: z.string().nullable(),
  /** The far end was a colleague; null on rows written before the field existed. */
  internal: z.boolean().nullable(),
  // What the app adds for billing (docs/billing.md); whole seconds arrive as their decimal text.
  pbx_call_id: z.string().nullable().optional(),
  hold_seconds: z.string().nullable().optional(),
  after_call_work_seconds: z.string().nullable().optional(),
  app_talk_seconds: z.string().nullable().optional(),
  no_bill_reason: z.string().nullable().optional(),
  no_bill_confirmed_by: z.string().nullable().optional(),
});
export type Call = z.infer<typeof Call>;
const WholeSeconds = z.number().int().min(0).max(86_400).nullable().optional();
export const CallPatch = z.strictObject({
  contact_id: RecordId.nullable().optional(),
  answered_at: Timestamp.nullable().optional(),
  ended_at: Timestamp.nullable().optional(),
  outcome: CallOutcome.nullable().optional(),
  taken_by: OptText,
  parent_id: RecordId.nullable().optional(),
  transferred_to: OptText,
  internal: z.boolean().nullable().optional(),
  /** The SIP Call-ID of the call as the PBX saw it: joins the record to the PBX's call detail record. */
  pbx_call_id: OptText,
  hold_seconds: WholeSeconds,
  after_call_work_seconds: WholeSeconds,
  /** The app's own measure of the connected time, answer to hang-up. */
  app_talk_seconds: WholeSeconds,
  /** "nicht berechnen" with its reason (Spam, falsche Nummer, …); null withdraws it. */
  no_bill_reason: OptText,
  /** The lead who confirmed "nicht berechnen" (the server takes it from a lead only). */
  no_bill_confirmed_by: OptText,
});
export type CallPatch = z.infer<typeof CallPatch>;
export const CallCreate = CallPatch.extend({
  tenant: TenantId,
  direction: CallDirection,
  remote_number: Text,
  dialled_number: OptText,
  started_at: Timestamp,
});
export type CallCreate = z.infer<typeof CallCreate>;

export const Note = z.object({
  id: RecordId,
  tenant: TenantId,
  call_id: RecordId.nullable(),
  contact_id: RecordId.nullable(),
  subject: z.string().nullable(),
  body: z.string().nullable(),
  callback_requested: z.boolean(),
  callback_number: z.string().nullable(),
  callback_due: z.string().nullable(),
  status: NoteStatus,
  assignee: z.string().nullable(),
  /** The message form: urgency (null on notes written before it: normal), the caller as taken down, who took it. */
  urgency: NoteUrgency.nullable(),
  caller_name: z.string().nullable(),
  caller_number: z.string().nullable(),
  author: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Note = z.infer<typeof Note>;
export const NotePatch = z.strictObject({
  call_id: RecordId.nullable().optional(),
  contact_id: RecordId.nullable().optional(),
  subject: OptText,
  body: OptText,
  callback_requested: z.boolean().optional(),
  callback_number: OptText,
  callback_due: Timestamp.nullable().optional(),
  status: NoteStatus.optional(),
  assignee: OptText,
  urgency: NoteUrgency.nullable().optional(),
  caller_name: OptText,
  caller_number: OptText,
  author: OptText,
});
export type NotePatch = z.input<typeof NotePatch>;
export const NoteCreate = NotePatch.extend({ tenant: TenantId });
export type NoteCreate = z.input<typeof NoteCreate>;

export const Appointment = z.object({
  id: RecordId,
  tenant: TenantId,
  contact_id: RecordId.nullable(),
  /** The call during which it was booked (from the call card), else null. */
  call_id: RecordId.nullable(),
  starts_at: z.string(),
  ends_at: z.string().nullable(),
  place: z.string().nullable(),
  subject: z.string().nullable(),
  notes: z.string().nullable(),
  status: AppointmentStatus,
});
export type Appointment = z.infer<typeof Appointment>;
export const AppointmentPatch = z.strictObject({
  contact_id: RecordId.nullable().optional(),
  starts_at: Timestamp.optional(),
  ends_at: Timestamp.nullable().optional(),
  place: OptText,
  subject: OptText,
  notes: OptText,
  status: AppointmentStatus.optional(),
});
// The call it was booked in is set once, at booking; moving or cancelling never changes it.
export const AppointmentCreate = AppointmentPatch.extend({
  tenant: TenantId,
  starts_at: Timestamp,
  call_id: RecordId.nullable().optional(),
});
export type AppointmentPatch = z.input<typeof AppointmentPatch>;
export type AppointmentCreate = z.input<typeof AppointmentCreate>;

export const CallerLookup = z.object({
  /** E.164 of the caller's number, null when it is not a valid number. */
  e164: z.string().nullable(),
  /** The firm whose number was dialled, else the firm of the matched contact. */
  tenant: Tenant.nullable(),
  contact: Contact.nullable(),
  /** Every contact with this number (the same person may be known to several firms). */
  matches: z.array(z.object({ id: RecordId, tenant: TenantId, name: z.string() })),
});
export type CallerLookup = z.infer<typeof CallerLookup>;

export const ImportFormat = z.enum(['vcard', 'csv']);
/** `auto` picks Outlook or Google by the header row; `generic` expects name/company/email/phone columns. */
export const CsvProfile = z.enum(['auto', 'outlook', 'google', 'generic']);
export const ImportRequest = z
  .strictObject({
    tenant: TenantId,
    format: ImportFormat,
    csvProfile: CsvProfile.default('auto'),
    /** The file's content (browser shell), at most MAX_IMPORT_TEXT_BYTES. */
    text: z.string().max(MAX_IMPORT_TEXT_BYTES).optional(),
    /** An absolute path chosen in the Electron shell's file dialog. */
    path: z.string().min(1).max(4096).optional(),
  })
  .refine((r) => (r.text === undefined) !== (r.path === undefined), 'give exactly one of text or path');
export type ImportRequest = z.infer<typeof ImportRequest>;

/**
 * Why a row of an import file was not imported, so the UI can say it in German (`message` is the
 * English text, for logs). `field` names the contact field; `values` carries the numbers the
 * sentence needs (`columns`: fields, header; `too_long`/`too_long_bytes`/`too_many_phones`: limit).
 */
export const ImportRowReason = z.enum([
  'columns',
  'no_name',
  'vcard_unterminated',
  'vcard_outside',
  'too_long',
  'too_long_bytes',
  'phone_empty',
  'too_many_phones',
  'invalid_characters',
  'other',
]);
export type ImportRowReason = z.infer<typeof ImportRowReason>;
export const ImportRowError = z.object({
  line: z.number().int(),
  message: z.string(),
  reason: ImportRowReason,
  field: z.string().max(64).optional(),
  values: z.record(z.string(), z.number()).optional(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;
export const ImportReport = z.object({
  importId: z.string(),
  imported: z.number().int(),
  failed: z.number().int(),
  /** The first 1000 bad rows with the line they start on. */
  errors: z.array(ImportRowError),
  done: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const ExportRequest = z.strictObject({
  tenant: TenantId.optional(),
  ids: z.array(RecordId).max(10_000).optional(),
});

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
