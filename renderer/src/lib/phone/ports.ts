import type { CallCreate, CallerLookup, CallPatch } from '../../../../protocol/store.js';

/**
 * What the engine needs from its host, as plain functions: the state module wires them to the
 * host API, tests and the benchmark wire them to whatever they measure. Every port may fail; the
 * engine logs and carries on — a store hiccup must never drop a call.
 */
export interface PhonePorts {
  lookupCaller(number: string, dialled: string | undefined): Promise<CallerLookup | null>;
  createCall(record: CallCreate): Promise<{ id: string }>;
  updateCall(id: string, patch: CallPatch): Promise<void>;
  notify(notification: { id: string; kind: 'incoming' | 'missed'; title: string; body: string }): void;
  closeNotification(id: string): void;
  /** Whether a call is active (a held call counts, ringing does not): display sleep and updates. */
  setCallActive(active: boolean): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** Texts for notifications, in the user's language. */
  text(key: 'incomingTitle' | 'incomingBody' | 'missedTitle', values: Record<string, string>): string;
}
