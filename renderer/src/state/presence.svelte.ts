import type { OwnPresence } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

export const PRESENCE_CHOICES: OwnPresence[] = ['available', 'away', 'dnd', 'offline'];

/**
 * Own presence as chosen by the user. The presence engine (SIP PUBLISH) will follow `presenceState.own`;
 * the host gets it now for the tray icon.
 */
export const presenceState = $state<{ own: OwnPresence }>({ own: 'available' });

export async function setOwnPresence(status: OwnPresence): Promise<void> {
  presenceState.own = status;
  try {
    await call('desktop.presence', { status });
  } catch (error) {
    reportError(error, 'desktop.presence');
  }
}

let listening = false;

/** The tray menu asks for a status; the same path as the switch in the app. */
export function followTrayPresence(): void {
  if (listening) return;
  listening = true;
  on('desktop.presence.requested', ({ status }) => void setOwnPresence(status));
}
