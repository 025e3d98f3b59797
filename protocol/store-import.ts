/** Importing contacts from vCard or CSV and exporting them as vCard, through the host API (docs/store.md). */
import { z } from 'zod';
import { MAX_IMPORT_TEXT_BYTES } from './store-fields.js';
import { RecordId, TenantId } from './sync.js';

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
