import type { URI, UserAgent } from 'sip.js';
import type { Lines } from './lines.js';
import type { PhonePorts } from './ports.js';
import type { CallRecorder } from './call-recorder.js';

/**
 * What the engine's collaborators (incoming calls, transfers) share with it: the user agent, the
 * line registry, the history and the host ports. The engine builds it once; nobody else owns lines.
 */
export interface PhoneContext {
  readonly ua: UserAgent;
  readonly lines: Lines;
  /** Our SIP user (DND never forwards to it) and domain (where a forward or transfer target lives). */
  readonly user: string;
  readonly domain: string;
  readonly recorder: CallRecorder;
  readonly ports: PhonePorts;
  /** The address of a user or number of our domain; throws DialError('invalid') when there is none. */
  targetUri(user: string): URI;
  /** Media options for a new session (the chosen microphone). */
  sdhOptions(): object;
  /** Something the UI shows changed (not a line's view: `Line.patch` says that itself). */
  changed(): void;
}
