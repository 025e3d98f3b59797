/**
 * The host API: every request the renderer may make of its host (the Electron main process or the
 * browser shell) and every event the host may push. Both hosts validate each request against these
 * schemas before any service sees it; the renderer derives its types from the same table.
 *
 * Each capability keeps its methods and events in its own protocol file (`settingsMethods` here,
 * `storeMethods` in store.ts, …) and they are merged below. Adding a method: one entry in the
 * capability's table, one handler in its core handler table, and the call in the renderer.
 */
import { z } from 'zod';
import { NoInput, Void } from './method-io.js';
import { AppInfo, LogEntry } from './app.js';
import { billingMethods } from './billing-report.js';
import { desktopEvents, desktopMethods } from './desktop.js';
import { documentEvents, documentMethods } from './documents.js';
import { firmScheduleMethods } from './firm-desk.js';
import { identityEvents, identityMethods } from './identity.js';
import { mailEvents, mailMethods } from './mail.js';
import { pbxEvents, pbxMethods } from './pbx.js';
import { presenceMethods } from './presence.js';
import { Settings, SettingsPatch } from './settings.js';
import { storeEvents, storeMethods } from './store.js';
import { syncEvents, syncMethods } from './sync-status.js';

export interface MethodSpec {
  input: z.ZodType;
  output: z.ZodType;
}

export const appMethods = {
  'app.info': { input: NoInput, output: AppInfo },
  'settings.get': { input: NoInput, output: Settings },
  'settings.set': { input: SettingsPatch, output: Settings },
  'log.write': { input: LogEntry, output: Void },
} as const satisfies Record<string, MethodSpec>;

export const appEvents = {
  'settings.changed': Settings,
} as const satisfies Record<string, z.ZodType>;

export const hostMethods = {
  ...appMethods,
  ...billingMethods,
  ...desktopMethods,
  ...documentMethods,
  ...firmScheduleMethods,
  ...identityMethods,
  ...mailMethods,
  ...pbxMethods,
  ...presenceMethods,
  ...storeMethods,
  ...syncMethods,
} as const satisfies Record<string, MethodSpec>;

export type HostMethod = keyof typeof hostMethods;
/** What a caller passes (before defaults and transforms). */
export type HostInput<M extends HostMethod> = z.input<(typeof hostMethods)[M]['input']>;
/** What a handler receives (after validation). */
export type HostParsedInput<M extends HostMethod> = z.output<(typeof hostMethods)[M]['input']>;
export type HostOutput<M extends HostMethod> = z.output<(typeof hostMethods)[M]['output']>;

export const hostEvents = {
  ...appEvents,
  ...desktopEvents,
  ...documentEvents,
  ...identityEvents,
  ...mailEvents,
  ...pbxEvents,
  ...storeEvents,
  ...syncEvents,
} as const satisfies Record<string, z.ZodType>;

export type HostEventName = keyof typeof hostEvents;
export type HostEventPayload<E extends HostEventName> = z.output<(typeof hostEvents)[E]>;
export type HostEvent = { [E in HostEventName]: { event: E; payload: HostEventPayload<E> } }[HostEventName];

export const InvokeRequest = z.strictObject({
  method: z.string().max(100),
  input: z.unknown().optional(),
});
export type InvokeRequest = z.infer<typeof InvokeRequest>;

/** The browser shell's host-API call over its WebSocket; the reply is `{ reply: id, result }`. */
export const SocketInvokeRequest = InvokeRequest.extend({ id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });
export type SocketInvokeRequest = z.infer<typeof SocketInvokeRequest>;

export function isHostMethod(name: string): name is HostMethod {
  return Object.hasOwn(hostMethods, name);
}

/** The object the preload puts on `window.vermittlung`; the browser shell's client mimics it. */
export interface HostBridge {
  readonly shell: 'electron' | 'browser';
  invoke(method: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}
