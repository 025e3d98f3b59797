/**
 * The local store's records as they cross the host API: firms (tenants), contacts with typed phone
 * numbers, calls, notes, appointments and the caller lookup. Field names are the sync field names of
 * `SYNC_FIELDS` (snake_case), so a record the UI edits maps 1:1 onto the field changes the sync engine pushes.
 */
import { z } from 'zod';
import { OptText, Text, Timestamp } from './store-fields.js';
import { RecordId, TenantId } from './sync.js';

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
