/**
 * The tray menu as data: status items, show, quit. Pure, so the actions are tested without a tray;
 * `tray.ts` turns it into an Electron Menu. The menu is the only UI text the main process owns,
 * hence the small label table here rather than the renderer's message files.
 */
import type { Language, OwnPresence, TrayStatus } from '../../protocol/index.js';

export type TrayAction = { type: 'presence'; status: OwnPresence } | { type: 'show' } | { type: 'quit' };

export interface TrayMenuItem {
  id: string;
  label: string;
  kind: 'radio' | 'normal' | 'separator';
  checked?: boolean;
  enabled?: boolean;
  action?: TrayAction;
}

const PRESENCES: readonly OwnPresence[] = ['available', 'away', 'dnd', 'offline'];

const LABELS: Record<Language, Record<OwnPresence | 'in-call' | 'show' | 'quit' | 'tooltip', string>> = {
  de: {
    available: 'Verfügbar',
    away: 'Abwesend',
    dnd: 'Nicht stören',
    offline: 'Offline',
    'in-call': 'Im Gespräch',
    show: 'Vermittlung anzeigen',
    quit: 'Beenden',
    tooltip: 'Vermittlung',
  },
  en: {
    available: 'Available',
    away: 'Away',
    dnd: 'Do not disturb',
    offline: 'Offline',
    'in-call': 'In a call',
    show: 'Show Vermittlung',
    quit: 'Quit',
    tooltip: 'Vermittlung',
  },
};

export interface TrayState {
  presence: OwnPresence;
  callActive: boolean;
  language: Language;
}

/** The icon shows the call over the presence: "in a call" is what colleagues care about. */
export function trayStatus(state: TrayState): TrayStatus {
  return state.callActive ? 'in-call' : state.presence;
}

export function trayTooltip(state: TrayState): string {
  const labels = LABELS[state.language];
  return `${labels.tooltip} – ${labels[trayStatus(state)]}`;
}

export function trayMenuModel(state: TrayState): TrayMenuItem[] {
  const labels = LABELS[state.language];
  return [
    ...PRESENCES.map((status): TrayMenuItem => ({
      id: `presence-${status}`,
      label: labels[status],
      kind: 'radio',
      checked: state.presence === status,
      action: { type: 'presence', status },
    })),
    { id: 'separator-1', label: '', kind: 'separator' },
    { id: 'show', label: labels.show, kind: 'normal', action: { type: 'show' } },
    { id: 'quit', label: labels.quit, kind: 'normal', action: { type: 'quit' } },
  ];
}
