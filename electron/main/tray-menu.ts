/**
 * The tray menu as data: status items, show, quit. Pure, so the actions are tested without a tray;
 * `tray.ts` turns it into an Electron Menu. The menu is the only UI text the main process owns,
 * hence the small label table here rather than the renderer's message files.
 */
import type { FirmSwitchAction, FirmSwitchState, Language, OwnPresence, TrayStatus } from '../../protocol/index.js';

export type TrayAction =
  { type: 'presence'; status: OwnPresence } | { type: 'firm'; action: FirmSwitchAction } | { type: 'show' } | { type: 'quit' };

export interface TrayMenuItem {
  id: string;
  label: string;
  kind: 'radio' | 'normal' | 'separator';
  checked?: boolean;
  enabled?: boolean;
  action?: TrayAction;
}

const PRESENCES: readonly OwnPresence[] = ['available', 'away', 'dnd', 'offline'];

type Label = OwnPresence | 'in-call' | 'show' | 'quit' | 'tooltip' | FirmSwitchAction;

const LABELS: Record<Language, Record<Label, string>> = {
  de: {
    available: 'Verfügbar',
    away: 'Abwesend',
    dnd: 'Nicht stören',
    offline: 'Offline',
    'in-call': 'Im Gespräch',
    show: 'Vermittlung anzeigen',
    quit: 'Beenden',
    tooltip: 'Vermittlung',
    start: 'Sprechstunde beginnen',
    end: 'Sprechstunde beenden',
    'closed-today': 'Heute nicht erreichbar',
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
    start: 'Begin consultation hours',
    end: 'End consultation hours',
    'closed-today': 'Not reachable today',
  },
};

export interface TrayState {
  presence: OwnPresence;
  callActive: boolean;
  language: Language;
  /** The craftsman's switch (his firm's mode and its end as the renderer says it); null: not shown. */
  firmSwitch?: FirmSwitchState | undefined;
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
    ...firmItems(state),
    { id: 'show', label: labels.show, kind: 'normal', action: { type: 'show' } },
    { id: 'quit', label: labels.quit, kind: 'normal', action: { type: 'quit' } },
  ];
}

/** The craftsman's switch: his firm's mode as a line, then begin or end his Sprechstunde, or closed for today. */
function firmItems(state: TrayState): TrayMenuItem[] {
  const firm = state.firmSwitch;
  if (!firm) return [];
  const labels = LABELS[state.language];
  const toggle: FirmSwitchAction = firm.consulting ? 'end' : 'start';
  return [
    { id: 'firm-status', label: firm.status, kind: 'normal', enabled: false },
    { id: `firm-${toggle}`, label: labels[toggle], kind: 'normal', action: { type: 'firm', action: toggle } },
    { id: 'firm-closed-today', label: labels['closed-today'], kind: 'normal', action: { type: 'firm', action: 'closed-today' } },
    { id: 'separator-2', label: '', kind: 'separator' },
  ];
}
