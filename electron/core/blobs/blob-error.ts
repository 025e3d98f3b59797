import type { BlobErrorCode } from '../../../protocol/index.js';

/**
 * A document refused or damaged for good: the renderer shows `documents.errors.<code>` (German for the
 * office), the log the English message. Network trouble is not one of these: it waits and retries.
 */
export class BlobError extends Error {
  constructor(
    readonly code: BlobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BlobError';
  }
}
