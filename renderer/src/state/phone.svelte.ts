import { get } from 'svelte/store';
import { call, on } from '../lib/host/client.js';
import { t } from '../lib/i18n/index.js';
import { BridgedTransport } from '../lib/phone/bridged-transport.js';
import { DialError } from '../lib/phone/dial-error.js';
import { PhoneEngine } from '../lib/phone/engine.js';
import { focusedLine } from '../lib/phone/focus.js';
import { hostPbx, hostPorts, followLookupChanges } from '../lib/phone/host-ports.js';
import type { ForwardCheckView } from '../lib/phone/forward-check.js';
import type { AudioDevicePrefs, LineView } from '../lib/phone/types.js';
import type { Settings } from '../../../protocol/index.js';
import { callEnded } from './after-call-work.svelte.js';
import { onDialIntent } from './dial-intent.svelte.js';
import { firmCallerNumber } from './tenants.svelte.js';
import { reportError } from './errors.svelte.js';

/** A message key with its values, for the card of one line. */
export interface LineNotice {
  key: string;
  values?: Record<string, string>;
}
const noLineNotices: Record<string, LineNotice> = {};

/** The phone as the UI sees it; the engine is the only writer. */
export const phone = $state({
  started: false,
  /** `none` until an identity is imported: the view then points to onboarding. */
  identity: 'unknown',
  registration: { status: 'unregistered', attempt: 0, recoveries: 0 },
  lines: [] as LineView[],
  dnd: false,
  /** What the PBX said about the DND forward target (Settings shows it). */
  forwardCheck: undefined as ForwardCheckView | undefined,
  /** The line the call card shows. */
  focused: undefined as string | undefined,
  /** Message key of the last problem the user should read (bad number, device gone …). */
  notice: undefined as string | undefined,
  /** A problem with one call, shown on that call's card (and on the consult panel holding it). */
  lineNotices: noLineNotices,
});

let engine: PhoneEngine | undefined;
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- subscribers, not rendered state
const startListeners = new Set<(engine: PhoneEngine) => void>();

/** Presence attaches to the engine here (before it registers), without the phone importing it. */
export function whenPhoneStarted(listener: (engine: PhoneEngine) => void): void {
  if (engine) listener(engine);
  else startListeners.add(listener);
}

function sync(): void {
  if (!engine) return;
  phone.registration = { ...engine.registration };
  phone.lines = engine.views();
  // An answered call's end starts its after-call work, which its note's save ends.
  for (const line of phone.lines)
    if (line.status === 'ended' && line.recordId && line.answeredAt !== undefined)
      callEnded(line.recordId, line.endedAt ?? Date.now());
  phone.dnd = engine.dnd;
  phone.forwardCheck = engine.forwardCheck ? { ...engine.forwardCheck } : undefined;
  noteFailedConsultations(phone.lines);
  phone.focused = focusedLine(phone.lines, phone.focused);
  const notice = engine.takeNotice();
  if (notice) phone.notice = notice;
}

const text = (key: string, values: Record<string, string>) => get(t)(`phone.notify.${key}`, { values });

let starting: Promise<void> | undefined;

/**
 * Starts the engine once an identity exists; safe to call again, also while a start is under way
 * (the app frame and the phone screen both ask): there is only ever one engine.
 */
export function startPhone(): Promise<void> {
  starting ??= begin().finally(() => {
    // Without an identity nothing started: a later call (after onboarding) tries again.
    if (!engine) starting = undefined;
  });
  return starting;
}

async function begin(): Promise<void> {
  if (engine) return;
  const status = await call('identity.status');
  if (status.state !== 'active') {
    phone.identity = 'none';
    return;
  }
  phone.identity = 'active';
  const identity = status.identity;
  const settings = await call('settings.get');
  engine = new PhoneEngine(
    {
      aor: `sip:${identity.user}@${identity.sipDomain}`,
      displayName: identity.name,
      transportConstructor: BridgedTransport,
      transportOptions: { host: hostPbx },
      defaultTenant: identity.tenants[0]?.id,
      devices: devicesFrom(settings),
      ringtone: settings.ringtone,
      dndAction: settings.dndAction,
      dndForward: settings.dndForwardTarget,
    },
    hostPorts(text),
    sync,
  );
  phone.started = true;
  wireHostEvents();
  for (const listener of startListeners) listener(engine);
  await engine.start();
  for (const link of await call('desktop.links.take').catch(() => [])) void dial(link.kind === 'sip' ? link.uri : link.number);
}

function wireHostEvents(): void {
  if (engine) followLookupChanges(engine);
  on('link.dial', (link) => void dial(link.kind === 'sip' ? link.uri : link.number));
  // "Anrufen" buttons of contacts, history, notes and team; a callback for a firm goes out as the firm.
  onDialIntent((intent) => void dial(intent.number, firmCallerNumber(intent.tenant), intent.tenant));
  // Devices are chosen in Settings and kept per profile; a change applies to calls in progress too.
  on('settings.changed', (settings) => {
    engine?.setRingtone(settings.ringtone);
    engine?.setDndForward(settings.dndAction, settings.dndForwardTarget);
    void applyDevices(devicesFrom(settings));
  });
  on('desktop.shortcut', () => {
    const ringing = phone.lines.find((line) => line.status === 'ringing');
    const talking = phone.lines.find((line) => line.status === 'connected' && !line.localHold);
    if (ringing) void act('answer', ringing.id);
    else if (talking) void act('hangup', talking.id);
  });
  on('desktop.notification.clicked', (click) => {
    if (click.action === 'answer') void act('answer', click.id);
  });
}

/** The profile's device choices; an empty id means the system default. */
function devicesFrom(settings: Settings): AudioDevicePrefs {
  const pick = (id: string) => (id === '' ? undefined : id);
  return { microphone: pick(settings.audioMicrophone), speaker: pick(settings.audioSpeaker), ringer: pick(settings.audioRinger) };
}

async function applyDevices(devices: AudioDevicePrefs): Promise<void> {
  if (!engine) return;
  const current = engine.devices;
  const same =
    current.microphone === devices.microphone && current.speaker === devices.speaker && current.ringer === devices.ringer;
  // A device that cannot be used shows up as the engine's notice (sync()).
  if (!same) await engine.setDevices(devices);
}

export async function setDevices(devices: AudioDevicePrefs): Promise<void> {
  await call('settings.set', {
    audioMicrophone: devices.microphone ?? '',
    audioSpeaker: devices.speaker ?? '',
    audioRinger: devices.ringer ?? '',
  });
  await applyDevices(devices);
}

/** `asFirm`: a firm's number to present, for a callback on the firm's behalf (`tenant`: that firm). */
export async function dial(input: string, asFirm?: string, tenant?: string): Promise<void> {
  if (!engine) return;
  phone.notice = undefined;
  try {
    phone.focused = await engine.dial(input, asFirm ? { asFirm, ...(tenant ? { tenant } : {}) } : {});
  } catch (error) {
    if (error instanceof DialError) phone.notice = `phone.dialError.${error.reason}`;
    else reportError(error, 'phone.dial');
  }
}

export type LineAction =
  'answer' | 'decline' | 'busy' | 'hangup' | 'hold' | 'resume' | 'mute' | 'unmute' | 'swap' | 'mobile' | 'complete';

/**
 * A consultation that ended without being answered (declined, busy, nobody there): said on the
 * waiting caller's card, which she looks at next.
 */
function noteFailedConsultations(lines: readonly LineView[]): void {
  // A line gone from the list takes its notice with it.
  for (const id of Object.keys(phone.lineNotices)) if (!lines.some((line) => line.id === id)) delete phone.lineNotices[id];
  for (const line of lines) {
    const original = line.consultationFor;
    if (!original || line.status !== 'ended' || line.answeredAt || phone.lineNotices[line.id]) continue;
    const notice = { key: `phone.consult.failed.${line.outcome ?? 'failed'}`, values: { who: line.remoteUser } };
    phone.lineNotices[line.id] = notice;
    phone.lineNotices[original] = notice;
  }
}

/** Shows a failed action on the card of the line it concerns, never as a generic error elsewhere. */
function lineProblem(id: string, error: unknown, where: string): void {
  if (error instanceof DialError) phone.lineNotices[id] = { key: `phone.dialError.${error.reason}` };
  else {
    phone.lineNotices[id] = { key: 'phone.actionFailed' };
    void call('log.write', { level: 'warn', message: `${where}: ${String(error)}` }).catch(() => undefined);
  }
}

export async function act(action: LineAction, id: string): Promise<void> {
  if (!engine) return;
  delete phone.lineNotices[id];
  try {
    if (action === 'answer') await engine.answer(id);
    else if (action === 'decline') await engine.reject(id, 603);
    else if (action === 'busy') await engine.reject(id, 486);
    else if (action === 'hangup') await engine.hangup(id);
    else if (action === 'hold' || action === 'resume') await engine.hold(id, action === 'hold');
    else if (action === 'mute' || action === 'unmute') engine.mute(id, action === 'mute');
    else if (action === 'swap') await engine.swap(id);
    else if (action === 'mobile') await engine.transferToMobile(id);
    else await complete(engine, id);
    phone.focused = id;
  } catch (error) {
    lineProblem(id, error, `phone.${action}`);
    // "Verbinden" failed: the caller's card is the one in front once the consultation is gone.
    const original = action === 'complete' ? phone.lines.find((line) => line.id === id)?.consultationFor : undefined;
    if (original && phone.lineNotices[id]) phone.lineNotices[original] = phone.lineNotices[id];
  }
}

/** "Verbinden": a REFER the caller did not follow is said on the panel and on the caller's card. */
async function complete(running: PhoneEngine, consultId: string): Promise<void> {
  const consult = running.line(consultId).view;
  await running.completeConsultation(consultId);
  const original = consult.consultationFor ? running.lines.find((line) => line.view.id === consult.consultationFor) : undefined;
  if (original?.view.transfer?.state !== 'failed') return;
  const notice = { key: 'phone.transferFailedTo', values: { who: consult.remoteUser } };
  phone.lineNotices[consultId] = notice;
  phone.lineNotices[original.view.id] = notice;
}

/** "Zurück zum Kunden": the consultation ends (if it still runs) and the waiting caller is resumed. */
export async function backToCustomer(consultId: string): Promise<void> {
  if (!engine) return;
  const consult = phone.lines.find((line) => line.id === consultId);
  const original = consult?.consultationFor;
  if (!consult || !original) return;
  try {
    // Her own choice, not a failure to report on the customer's card.
    phone.lineNotices[consultId] = { key: 'phone.consult.ended' };
    if (consult.status !== 'ended') await engine.hangup(consultId);
    if (phone.lines.find((line) => line.id === original)?.status === 'connected') await engine.hold(original, false);
    phone.focused = original;
    delete phone.lineNotices[original];
  } catch (error) {
    lineProblem(original, error, 'phone.backToCustomer');
  }
}

/** `target`: a colleague's user id or a number (the picker resolves names before this). */
export async function transfer(id: string, target: string, attended: boolean): Promise<void> {
  if (!engine) return;
  delete phone.lineNotices[id];
  try {
    if (attended) phone.focused = await engine.startConsultation(id, target);
    else {
      await engine.blindTransfer(id, target);
      const line = engine.lines.find((candidate) => candidate.view.id === id)?.view;
      if (line?.transfer?.state === 'failed')
        phone.lineNotices[id] = { key: 'phone.transferFailedTo', values: { who: line.transfer.target } };
    }
  } catch (error) {
    lineProblem(id, error, 'phone.transfer');
  }
}

export function sendDtmf(id: string, digits: string): void {
  engine?.sendDtmf(id, digits).catch((error: unknown) => reportError(error, 'phone.dtmf'));
}

/** Driven by the presence engine (and the UI's switch): DND answers 486 without ringing. */
export function setDnd(on: boolean): void {
  engine?.setDnd(on);
  phone.dnd = on;
}

export function focusLine(id: string): void {
  phone.focused = id;
}
