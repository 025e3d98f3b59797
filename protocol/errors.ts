import { z } from 'zod';

/**
 * Error codes that cross a seam (host API, sync API). The renderer maps each code to a German or
 * English sentence from its message files; `message` carries the English text for logs.
 */
export const ErrorCode = z.enum([
  'validation',
  'unknown_method',
  'forbidden',
  'unauthorized',
  'not_found',
  'conflict',
  'too_large',
  'unavailable',
  'not_configured',
  'internal',
  /**
   * A text holds a character that cannot be stored or exported faithfully (NUL, other control
   * characters, a broken UTF-16 surrogate: protocol/text-values.ts); `field` names the field.
   */
  'invalid_characters',
  /** Identity import (protocol/identity.ts): each refusal has its own text in the UI. */
  'bundle_invalid',
  'bundle_tampered',
  'wrong_passphrase',
  'certificate_expired',
  'certificate_untrusted',
  'keychain_unavailable',
  /** The bundle's sipDomain is not a host name or IP address (refused by name so IT sees what to fix). */
  'sip_domain_invalid',
  /** The mail register's rules (protocol/mail.ts MAIL_ERRORS); the app says each under `mail.errors.<code>`. */
  'mail_status_backwards',
  'mail_destroy_unconfirmed',
  'mail_receipt_reason',
  'mail_no_disposition',
  /** The host has no file dialog (the browser shell): the file is dropped onto the window instead. */
  'dialog_unavailable',
  /** Documents (protocol/blobs.ts `BlobErrorCode`): the renderer shows `documents.errors.<code>`. */
  'unsupported_type',
  'blob_too_large',
  'hash_mismatch',
  'blob_forbidden',
  'blob_not_found',
  'integrity',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorData = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Dotted path of the offending input field, when the error is about one. */
  field: z.string().optional(),
});
export type ErrorData = z.infer<typeof ErrorData>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ErrorData })]);

/** A failure that is meant to cross a seam as data. Thrown by services, caught by dispatchers. */
export class HostError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'HostError';
    this.code = code;
    this.field = field;
  }
  toData(): ErrorData {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
  static fromData(data: ErrorData): HostError {
    return new HostError(data.code, data.message, data.field);
  }
}

/** Turns a zod failure into one error naming the first offending field. */
export function validationError(error: z.ZodError, prefix = 'input'): HostError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.');
  return new HostError('validation', `${path}: ${issue?.message ?? 'invalid value'}`, path);
}
