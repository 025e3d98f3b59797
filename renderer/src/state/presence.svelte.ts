import type { DirectoryMe, OwnPresence } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import type { PhoneEngine } from '../lib/phone/engine.js';
import { storageDocumentMemory } from '../lib/presence/document-memory.js';
import { IdleWatcher } from '../lib/presence/idle.js';
import { PresenceEngine } from '../lib/presence/presence-engine.js';
import type { PeerPresence, Published } from '../lib/presence/types.js';
import { onAfterCallWorkDone } from './after-call-work.svelte.js';
import { identityState } from './identity.svelte.js';
import { reportError } from './errors.svelte.js';
import { whenPhoneStarted } from './phone.svelte.js';
import { teamState } from './team.svelte.js';
import { registerUi } from './ui-slots.svelte.js';

export const PRESENCE_CHOICES: OwnPresence[] = ['available', 'away', 'dnd', 'offline'];

/**
 * Own presence (`own` = the user's choice, `published` = what colleagues see, incl. "Im Gespräch"
 * and idle "Abwesend") and the team's live presence, user id → state. The presence engine is the
 * only writer of `published` and `peers`.
 */
interface PresenceView {
  own: OwnPresence;
  published: Published;
  peers: Record<string, PeerPresence>;
  /** Consultation hours per tenant id (directory), for the craftsman's entry. */
  hours: Record<string, string>;
  directory: 'loading' | 'ready' | 'unavailable';
}
export const presenceState = $state<PresenceView>({
  own: 'available',
  published: 'available',
  peers: {},
  hours: {},
  directory: 'loading',
});

let engine: PresenceEngine | undefined;
let idle: IdleWatcher | undefined;
let systemIdle = false;
let directoryTimer: ReturnType<typeof setTimeout> | undefined;
const DIRECTORY_REFRESH_MS = 10 * 60_000;
const DIRECTORY_RETRY_MS = 30_000;

export async function setOwnPresence(status: OwnPresence): Promise<void> {
  presenceState.own = status;
  engine?.setChoice(status);
  try {
    await call('desktop.presence', { status: trayStatus() });
  } catch (error) {
    reportError(error, 'desktop.presence');
  }
}

/** The tray knows no "in a call" or "Nacharbeit" status (it shows calls by itself): the choice with idle applied. */
function trayStatus(): OwnPresence {
  const published = presenceState.published;
  return published === 'busy' || published === 'wrapup' ? presenceState.own : published;
}

/** The after-call work is done (the call's note is saved): colleagues see her choice again. */
export function endAfterCallWork(): void {
  engine?.endWrapUp();
}

let listening = false;

/** Called once by the app frame: tray requests, and presence follows the phone once it starts. */
export function followTrayPresence(): void {
  if (listening) return;
  listening = true;
  on('desktop.presence.requested', ({ status }) => void setOwnPresence(status));
  whenPhoneStarted((phone) => startPresence(phone));
}

function startPresence(phone: PhoneEngine): void {
  if (engine) return;
  engine = new PresenceEngine(phone, {
    aor: phone.ua.configuration.uri.toString(),
    memory: storageDocumentMemory(localStorage),
    log: (level, message) => void call('log.write', { level, message: `presence: ${message}` }).catch(() => undefined),
    onOwn: (status) => {
      const before = trayStatus();
      presenceState.published = status;
      if (trayStatus() !== before) void call('desktop.presence', { status: trayStatus() }).catch(() => undefined);
    },
    onPeer: (user, state) => {
      presenceState.peers[user] = state;
    },
    afterCallWork: () => identityState.summary?.role !== 'craftsman',
  });
  engine.setChoice(presenceState.own);
  onAfterCallWorkDone(() => engine?.endWrapUp());
  registerUi({ presence: presenceState.peers });
  engine.start();
  void startIdle();
  void loadDirectory();
  // Quit or reload: withdraw our status (PUBLISH Expires: 0) instead of waiting for its expiry.
  window.addEventListener('pagehide', () => void engine?.stop());
}

async function startIdle(): Promise<void> {
  const minutes = (await call('settings.get').catch(() => undefined))?.presenceIdleMinutes ?? 10;
  // The Electron shell sees input anywhere on the machine (powerMonitor); the browser shell cannot.
  systemIdle = (await call('desktop.idle.watch', { thresholdSeconds: minutes * 60 }).catch(() => undefined))?.system ?? false;
  if (systemIdle) {
    on('desktop.idle', ({ idle: isIdle }) => engine?.setIdle(isIdle));
    on('settings.changed', (settings) => {
      call('desktop.idle.watch', { thresholdSeconds: settings.presenceIdleMinutes * 60 }).catch((error: unknown) =>
        reportError(error, 'desktop.idle.watch'),
      );
    });
    return;
  }
  idle = new IdleWatcher(minutes * 60_000, (isIdle) => engine?.setIdle(isIdle));
  idle.start();
  on('settings.changed', (settings) => idle?.setThreshold(settings.presenceIdleMinutes * 60_000));
}

/** From a click in the settings: lets the Idle Detection API see idle time outside the app too. */
export function allowSystemIdle(): Promise<boolean> {
  return idle?.requestPermission() ?? Promise.resolve(systemIdle);
}

async function loadDirectory(): Promise<void> {
  if (directoryTimer) clearTimeout(directoryTimer);
  let next = DIRECTORY_REFRESH_MS;
  try {
    applyDirectory(await call('directory.me'));
  } catch (error) {
    // No server yet, or offline: the list stays as it was; try again soon.
    if (presenceState.directory === 'loading') presenceState.directory = 'unavailable';
    void call('log.write', { level: 'warn', message: `presence: directory not loaded: ${String(error)}` }).catch(() => undefined);
    next = DIRECTORY_RETRY_MS;
  }
  directoryTimer = setTimeout(() => void loadDirectory(), next);
}

function applyDirectory(me: DirectoryMe): void {
  presenceState.directory = 'ready';
  presenceState.hours = Object.fromEntries(me.tenants.filter((t) => t.hours).map((t) => [t.id, t.hours!]));
  teamState.people = me.colleagues;
  engine?.setPeople(me.colleagues.map((person) => person.id));
  // A craftsman tells callers' teleworkers his consultation hours in his presence note as well.
  if (me.user.role === 'craftsman') {
    const hours = me.tenants.map((t) => t.hours).filter(Boolean);
    engine?.setNote(hours.length > 0 ? `Sprechzeiten: ${hours.join('; ')}` : undefined);
  }
}

/** The consultation hours of the firms a person serves (for a craftsman's entry). */
export function hoursOf(tenants: readonly string[]): string | undefined {
  const texts = tenants.map((id) => presenceState.hours[id]).filter((text): text is string => Boolean(text));
  return texts.length > 0 ? texts.join('; ') : undefined;
}
