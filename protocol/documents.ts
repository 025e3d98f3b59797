/**
 * Documents in the app (docs/mail-intake.md): the scanner's intake folder, files dropped onto the
 * window or picked in a dialog, and the `document` records (protocol/blobs.ts) they become. The
 * renderer never sees a host path: intake files are named by an opaque id, bytes cross the seam as
 * base64, and "Kopie speichern" opens the host's save dialog.
 */
import { z } from 'zod';
import { BlobErrorCode, BLOB_TYPES, DEFAULT_MAX_BLOB_BYTES } from './blobs.js';
import type { MethodSpec } from './host-api.js';
import { NoInput, Void } from './method-io.js';
import { IntakeFolder } from './settings.js';
import { RecordId, TenantId } from './sync.js';

/** A file waiting in the scanner's folder; `id` is opaque (never the path). */
export const IntakeFile = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string(),
  size: z.number().int(),
  mime: z.enum(BLOB_TYPES),
  /** When the scanner wrote it (ISO). */
  added_at: z.string(),
});
export type IntakeFile = z.infer<typeof IntakeFile>;

export const DocumentMime = z.enum(BLOB_TYPES);
export const DocumentRecord = z.object({
  id: RecordId,
  tenant: TenantId,
  blob_sha256: z.string(),
  name: z.string(),
  mime: DocumentMime,
  size: z.number().int(),
  attached_table: z.string().nullable(),
  attached_id: RecordId.nullable(),
  /** The bytes are in the local cache (open without the network). */
  cached: z.boolean(),
  /** The upload still waits in the outbox (offline, or the server refused: `upload_error`). */
  uploading: z.boolean(),
  upload_error: BlobErrorCode.nullable(),
});
export type DocumentRecord = z.infer<typeof DocumentRecord>;

/** Largest file passed as bytes from the renderer (a drop); base64 grows it by a third. */
export const MAX_DROPPED_BYTES = DEFAULT_MAX_BLOB_BYTES;
const Base64 = z.string().max(Math.ceil((MAX_DROPPED_BYTES * 4) / 3) + 4);

/** Where a new document's bytes come from. */
export const DocumentSource = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('intake'), id: IntakeFile.shape.id }),
  z.strictObject({ from: z.literal('bytes'), name: z.string().min(1).max(255), base64: Base64 }),
  /** The host's open-file dialog (Electron); the browser shell answers `dialog_unavailable`. */
  z.strictObject({ from: z.literal('dialog') }),
  /** A file chosen before with `documents.pick` (the dialog is over before anything is filed). */
  z.strictObject({ from: z.literal('picked'), id: IntakeFile.shape.id }),
]);
export type DocumentSource = z.infer<typeof DocumentSource>;

export const Attachment = z.strictObject({ table: z.enum(['mail_item', 'note', 'contact', 'call']), id: RecordId });
export type Attachment = z.infer<typeof Attachment>;

export const documentMethods = {
  'intake.list': { input: NoInput, output: z.array(IntakeFile) },
  /** An intake file's bytes for the preview. */
  'intake.read': {
    input: z.strictObject({ id: IntakeFile.shape.id }),
    output: z.object({ mime: DocumentMime, base64: z.string() }),
  },
  /** Removes a file from the intake list without filing it (it moves to the folder's `verworfen/`). */
  'intake.dismiss': { input: z.strictObject({ id: IntakeFile.shape.id }), output: Void },
  /**
   * The host's open-file dialog, before anything is filed: an opaque id for `documents.add
   * {from: 'picked'}` and the file's name, or null when cancelled. A file that is no PDF, JPEG, PNG
   * or TIFF is refused here (`unsupported_type`); the browser shell answers `dialog_unavailable`.
   */
  'documents.pick': { input: NoInput, output: z.object({ id: IntakeFile.shape.id, name: z.string() }).nullable() },
  /** The host's folder dialog for the scanner's folder: the chosen folder, or null when cancelled. */
  'intake.pickFolder': { input: NoInput, output: z.object({ folder: IntakeFolder }).nullable() },
  /** Files bytes as a document of `tenant`, attached to a record; the upload starts in the background. */
  'documents.add': {
    input: z.strictObject({ tenant: TenantId, source: DocumentSource, attach: Attachment.optional() }),
    output: DocumentRecord,
  },
  'documents.list': { input: z.strictObject({ attach: Attachment }), output: z.array(DocumentRecord) },
  /** The bytes (from the cache, else downloaded now and cached). */
  'documents.read': { input: z.strictObject({ id: RecordId }), output: z.object({ mime: DocumentMime, base64: z.string() }) },
  /** "Kopie speichern": the host's save dialog; false when the user cancelled. */
  'documents.saveCopy': { input: z.strictObject({ id: RecordId }), output: z.object({ saved: z.boolean() }) },
  'documents.remove': { input: z.strictObject({ id: RecordId }), output: Void },
} as const satisfies Record<string, MethodSpec>;

export const documentEvents = {
  'intake.changed': z.array(IntakeFile),
} as const;
