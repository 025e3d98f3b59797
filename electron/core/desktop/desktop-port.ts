import type {
  CallNotification,
  DialLink,
  FirmSwitchState,
  LinkClaimOutcome,
  OwnPresence,
  UpdateStatus,
} from '../../../protocol/index.js';

/**
 * What the host shell does for the desktop methods of the host API. The Electron main process
 * implements it with tray, notifications, power blocker and electron-updater; the browser shell has
 * none of those and uses `inertDesktop`.
 */
export interface DesktopPort {
  setCallActive(active: boolean): void;
  setPresence(status: OwnPresence): void;
  /** The craftsman's switch in the tray menu; null hides it. */
  setFirmSwitch(state: FirmSwitchState): void;
  /** Watches system idle time; false when this host cannot (then nothing is emitted). */
  watchIdle(thresholdSeconds: number): boolean;
  /** Returns whether a notification was shown. */
  notify(notification: CallNotification): boolean;
  closeNotification(id: string): void;
  takePendingLinks(): DialLink[];
  /** Makes the app the default for tel:, sip: and callto: — only ever because the user asked. */
  claimLinks(): LinkClaimOutcome;
  updateStatus(): UpdateStatus;
  checkForUpdates(): Promise<UpdateStatus>;
  installUpdate(): UpdateStatus;
}

/** A host without desktop integration: calls succeed and change nothing, the updater is `unsupported`. */
export function inertDesktop(currentVersion: string): DesktopPort {
  const status = (): UpdateStatus => ({ state: 'unsupported', channel: 'stable', currentVersion });
  return {
    setCallActive: () => undefined,
    setPresence: () => undefined,
    setFirmSwitch: () => undefined,
    watchIdle: () => false,
    notify: () => false,
    closeNotification: () => undefined,
    takePendingLinks: () => [],
    claimLinks: () => 'unsupported',
    updateStatus: status,
    checkForUpdates: () => Promise.resolve(status()),
    installUpdate: status,
  };
}
