/**
 * Wire protocol version negotiation of the sync API (docs/sync-protocol.md, "Versioning").
 * Old and new clients meet one server for weeks during a rollout: a mismatch must say so plainly
 * instead of surfacing as a validation error that is retried forever.
 */

/** The wire form this build speaks. Bump it only for a change an older peer would misread. */
export const SYNC_WIRE_VERSION = 1;

/** Every sync request (push, pull, directory, live upgrade) names its wire version here. */
export const SYNC_WIRE_HEADER = 'x-sync-wire-version';

/** Clients from before negotiation send no header: they speak the compact form, version 1. */
export const SYNC_WIRE_DEFAULT = 1;

export interface WireVersionRange {
  min: number;
  max: number;
}

/** What a server of this build accepts; `min` rises only once no deployed client needs the old form. */
export const SYNC_WIRE_SUPPORTED: WireVersionRange = { min: 1, max: SYNC_WIRE_VERSION };

/** HTTP status and error code of the refusal; the body also carries `supported`. */
export const WIRE_VERSION_STATUS = 426;
export const WIRE_VERSION_CODE = 'unsupported_wire_version';

/** Which side has to be updated, from the client's version and the server's range. */
export function wireMismatch(client: number, supported: WireVersionRange): 'app_outdated' | 'server_outdated' | undefined {
  if (client < supported.min) return 'app_outdated';
  if (client > supported.max) return 'server_outdated';
  return undefined;
}

/**
 * The version a request declares: absent = version 1; anything but a positive integer is
 * `undefined` (the server refuses it like an unsupported version, naming its range).
 */
export function parseWireVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return SYNC_WIRE_DEFAULT;
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^[1-9][0-9]{0,5}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
