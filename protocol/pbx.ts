/**
 * The PBX connection between the renderer's SIP.js and the main process. The main process holds the
 * client certificate and opens the WSS connection to Kamailio; the renderer only sends and receives
 * whole SIP messages (docs/pbx.md).
 */
import { z } from 'zod';
import { NoInput, Void } from './method-io.js';

/** Kamailio refuses larger messages over WebSocket anyway; a bound keeps a runaway renderer in check. */
export const MAX_SIP_MESSAGE = 64 * 1024;

export const SipMessage = z.string().min(1).max(MAX_SIP_MESSAGE);

/**
 * Why the connection failed, for the UI's German text: each TLS refusal has its own code so the user
 * (and IT on the phone) can tell an expired certificate from a revoked one.
 */
export const PbxErrorCode = z.enum([
  /** No identity imported yet (or it was removed). */
  'no_identity',
  /** The PBX demanded a client certificate and got none. */
  'no_certificate',
  /** The PBX does not trust the CA that issued our certificate. */
  'unknown_ca',
  'certificate_revoked',
  'certificate_expired',
  /** Our certificate is not valid yet (clock skew). */
  'certificate_not_yet_valid',
  /** The PBX's own certificate failed our check against the office service's CA. */
  'server_untrusted',
  'handshake_failed',
  /** Nothing listens (ECONNREFUSED) or the host is unreachable. */
  'refused',
  /** The PBX closed an established connection (e.g. after a revocation) or it broke. */
  'connection_lost',
  'timeout',
]);
export type PbxErrorCode = z.infer<typeof PbxErrorCode>;

export const PbxConnectionState = z.enum(['disconnected', 'connecting', 'connected', 'failed']);
export type PbxConnectionState = z.infer<typeof PbxConnectionState>;

export const PbxState = z.object({
  state: PbxConnectionState,
  /** The last failure; present on `failed`, and on `connecting` while retrying after one. */
  error: z.object({ code: PbxErrorCode, message: z.string() }).optional(),
  /** Reconnect attempt number since the last successful connection (0 when connected). */
  attempt: z.number().int().min(0),
  /** When the next attempt is due, in ms from now (only while waiting to reconnect). */
  retryInMs: z.number().int().min(0).optional(),
  /** Increments with every established connection, so a renderer can tell a reconnect happened. */
  connections: z.number().int().min(0),
});
export type PbxState = z.infer<typeof PbxState>;

export const pbxMethods = {
  /** Opens the connection (or returns the state of the one already open or opening). */
  'pbx.connect': { input: NoInput, output: PbxState },
  /** One complete SIP message; refused with `unavailable` while not connected. */
  'pbx.send': { input: z.strictObject({ message: SipMessage }), output: Void },
  /** Closes the connection and stops reconnecting. */
  'pbx.disconnect': { input: NoInput, output: Void },
  'pbx.state': { input: NoInput, output: PbxState },
} as const;

export const pbxEvents = {
  /** One complete SIP message from the PBX. */
  'pbx.message': z.object({ message: SipMessage }),
  'pbx.state': PbxState,
} as const;
