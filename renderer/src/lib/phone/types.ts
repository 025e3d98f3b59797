import type { UserAgentOptions } from 'sip.js';
import type { Ringtone } from '../../../../protocol/settings.js';
import type { CallerLookup, CallOutcome } from '../../../../protocol/store.js';
import type { ConsultAbout } from './consult-headers.js';
import type { DndAction } from './dnd.js';
import type { CallRoute } from './route-headers.js';

export type RegistrationStatus =
  /** Not started, or stopped by the user. */
  | 'unregistered'
  | 'connecting'
  | 'registering'
  | 'registered'
  /** Lost the transport or the registration; retrying on its own. */
  | 'reconnecting'
  /** The OS reports no network; retries resume on `online`. */
  | 'offline'
  /** The PBX refused the registration (e.g. 403); retried with the longest delay. */
  | 'failed';

export interface RegistrationView {
  status: RegistrationStatus;
  attempt: number;
  /** English detail for the log and a tooltip; the UI shows German text by status. */
  detail?: string;
  registeredAt?: number;
  /** How often the engine has re-registered after a loss (for the UI and tests). */
  recoveries: number;
}

export type LineStatus =
  /** Incoming, caller being looked up: not ringing yet. */
  'incoming' | 'ringing' | 'dialing' | 'ringback' | 'connected' | 'ended';

export type DtmfMode = 'rfc4733' | 'info';
export type TransferKind = 'blind' | 'attended';

export interface LineView {
  id: string;
  /** 1 … MAX_LINES, stable for the life of the line. */
  slot: number;
  direction: 'in' | 'out';
  status: LineStatus;
  /** The far end's SIP user (a number or a colleague's user name) and display name. */
  remoteUser: string;
  remoteName: string | undefined;
  /** An incoming call: from a colleague (the PBX vouched for it) or from outside (caller-identity.ts). */
  caller: 'colleague' | 'outside' | undefined;
  /** The number the caller dialled, as the PBX delivered it (P-Called-Party-ID, else To). */
  dialled: string | undefined;
  lookup: CallerLookup | null;
  /** We put the far end on hold. */
  localHold: boolean;
  /** The far end put us on hold. */
  remoteHold: boolean;
  muted: boolean;
  startedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  outcome: CallOutcome | undefined;
  /** SIP status of the failure, e.g. 486 or 603. */
  endCode: number | undefined;
  /** The line this one is a consultation call for (attended transfer). */
  consultationFor: string | undefined;
  transfer: { kind: TransferKind; target: string; state: 'pending' | 'done' | 'failed' } | undefined;
  /** Digits sent on this line, and digits the far end sent us by SIP INFO. */
  dtmfSent: string;
  dtmfReceived: string;
  /** The call record in the store, once created. */
  recordId: string | undefined;
  /** True when a colleague's REFER or a Replaces brought this call here. */
  viaTransfer: boolean;
  /** A colleague consults us about a caller who waits (consult-headers.ts). */
  consultAbout: ConsultAbout | undefined;
  /** The colleague (user id) who transferred this caller to us, on the PBX's word. */
  transferredBy: string | undefined;
  /** How the PBX routed a firm's call here (its X-Vermittlung-* headers), when it said so. */
  route: CallRoute | undefined;
}

export interface AudioDevicePrefs {
  microphone?: string | undefined;
  speaker?: string | undefined;
  ringer?: string | undefined;
}

export const MAX_LINES = 4;

/** What `PhoneEngine` starts with; its collaborators take the parts they need. */
export interface PhoneEngineConfig {
  /** Our address of record, `sip:<certificate CN>@<sip domain>`. */
  aor: string;
  displayName?: string;
  /** The bridged transport in the app; SIP.js's WebSocket transport in plain-SIP.js setups. */
  transportConstructor?: UserAgentOptions['transportConstructor'];
  transportOptions?: unknown;
  /** WebRTC media by default; the Node tests hand in a handler without a browser. */
  sessionDescriptionHandlerFactory?: UserAgentOptions['sessionDescriptionHandlerFactory'];
  iceServers?: RTCIceServer[];
  /** Setup never waits longer than this on an unreachable STUN/TURN server. */
  iceGatheringTimeoutMs?: number;
  dtmfMode?: DtmfMode;
  devices?: AudioDevicePrefs;
  /** The tenant of records when neither the dialled number nor a contact names one. */
  defaultTenant?: string;
  /** Ringing starts at the latest after this long, even if the caller lookup is still running. */
  lookupTimeoutMs?: number;
  /** How long an ended line stays visible. */
  endedLingerMs?: number;
  keepAliveMs?: number;
  ringtone?: Ringtone;
  /** What DND does with a call: 486, or 302 to `dndForward` (a colleague's user or a number). */
  dndAction?: DndAction;
  dndForward?: string;
  /** The ringtone file; the renderer build's asset by default. */
  ringtoneUrl?: string;
}
