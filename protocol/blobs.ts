import { z } from 'zod';

/**
 * Documents that sync (docs/sync-protocol.md, "Blobs"): the bytes of a scanned letter or a photo
 * travel as a content-addressed blob, named by the SHA-256 of its bytes, uploaded in chunks over the
 * sync connection. A `document` record (SYNC_FIELDS) names the blob and the firm it belongs to.
 */

/**
 * The most bytes one upload request (`PUT /blobs/uploads/<sha256>`) may carry. The body is streamed,
 * never held whole: the server stores it in pieces of BLOB_PIECE_BYTES as they arrive.
 */
export const BLOB_CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * The unit the server stores and commits (with the upload's offset): what survives a cut, and the
 * most either side holds of a file in memory (the server two of them: one stored while the next arrives).
 */
export const BLOB_PIECE_BYTES = 1024 * 1024;
/** What servers before the streamed upload accepted per request: a client falls back to it on their 413. */
export const LEGACY_BLOB_CHUNK_BYTES = BLOB_PIECE_BYTES;
/** The server's default per-file limit (a server setting overrides it). */
export const DEFAULT_MAX_BLOB_BYTES = 50 * 1024 * 1024;
/** The client's default local cache (a setting overrides it). */
export const DEFAULT_BLOB_CACHE_BYTES = 2 * 1024 * 1024 * 1024;

export const BlobHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex digest');
export type BlobHash = z.infer<typeof BlobHash>;

export const BLOB_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const;
export type BlobType = (typeof BLOB_TYPES)[number];

/** Bytes needed to recognise every accepted type (the first chunk always has them, or the file is shorter). */
export const SNIFF_BYTES = 8;

/**
 * The type of a file by its first bytes, never by its name: a renamed program stays a program.
 * `undefined` for anything but PDF, JPEG, PNG and TIFF.
 */
export function sniffBlobType(head: Uint8Array): BlobType | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff'; // II*\0, MM\0*
  return undefined;
}

/** POST /blobs/uploads: announce (or resume) the upload of a blob for a firm. */
export const BlobUploadStart = z.strictObject({
  sha256: BlobHash,
  size: z.number().int().min(1),
  tenant: z.string().min(1).max(63),
});
export type BlobUploadStart = z.infer<typeof BlobUploadStart>;

/**
 * The server's state of an upload: `complete` (the blob is stored and verified — nothing to send,
 * also the answer for a hash already known) or `partial` with the byte offset it has.
 */
export const BlobUploadState = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('complete'), sha256: BlobHash, size: z.number().int() }),
  z.strictObject({ state: z.literal('partial'), sha256: BlobHash, size: z.number().int(), offset: z.number().int().min(0) }),
]);
export type BlobUploadState = z.infer<typeof BlobUploadState>;

/** Refusal codes of the blob routes (in `SyncErrorBody.error.code`). */
export const BLOB_ERROR_CODES = {
  /** The first bytes are not PDF, JPEG, PNG or TIFF (415). */
  unsupportedType: 'unsupported_type',
  /** The announced size is above the server's limit (413). */
  tooLarge: 'blob_too_large',
  /** A chunk at another offset than the one the server has (409); the answer carries the right one. */
  wrongOffset: 'wrong_offset',
  /** The whole file does not hash to its name (400); the partial upload is discarded. */
  hashMismatch: 'hash_mismatch',
  /** No record of a firm the caller serves references the hash (403). */
  notReferenced: 'blob_forbidden',
  /** The server has no complete blob of that hash (404). */
  notFound: 'blob_not_found',
} as const;

/**
 * What the client reports for a refused or damaged document: the server's codes above, and
 * `integrity` for a download that did not hash to its name. The renderer shows `documents.errors.<code>`.
 */
export const BlobErrorCode = z.enum([
  'unsupported_type',
  'blob_too_large',
  'hash_mismatch',
  'blob_forbidden',
  'blob_not_found',
  'integrity',
]);
export type BlobErrorCode = z.infer<typeof BlobErrorCode>;
