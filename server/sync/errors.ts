import {
  SYNC_WIRE_SUPPORTED,
  WIRE_VERSION_CODE,
  WIRE_VERSION_STATUS,
  parseWireVersion,
  wireMismatch,
  type SyncErrorBody,
  type WireVersionRange,
} from '../../protocol/index.js';

/** A refusal with its HTTP status; the HTTP layer turns it into `SyncErrorBody`. */
export class SyncHttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 415 | 426 | 503 | 507,
    readonly code: string,
    message: string,
    readonly item?: string,
    readonly supported?: WireVersionRange,
    /** With `version_in_future`: the server's clock, so the client can correct its own. */
    readonly serverTime?: number,
  ) {
    super(message);
    this.name = 'SyncHttpError';
  }

  toBody(): SyncErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.item === undefined ? {} : { item: this.item }),
        ...(this.supported === undefined ? {} : { supported: this.supported }),
        ...(this.serverTime === undefined ? {} : { serverTime: this.serverTime }),
      },
    };
  }
}

/**
 * The request's declared wire version against what this server speaks: a specific 426 naming the
 * supported range, so the client stops retrying instead of failing validation forever.
 */
export function checkWireVersion(header: string | string[] | undefined, supported: WireVersionRange = SYNC_WIRE_SUPPORTED): void {
  const version = parseWireVersion(header);
  if (version !== undefined && wireMismatch(version, supported) === undefined) return;
  const { min, max } = supported;
  const declared = Array.isArray(header) ? header[0] : header;
  throw new SyncHttpError(
    WIRE_VERSION_STATUS,
    WIRE_VERSION_CODE,
    `sync wire version ${JSON.stringify(declared)} is not supported; this server speaks versions ${min} to ${max}`,
    undefined,
    { min, max },
  );
}
