import { powerMonitor, powerSaveBlocker } from 'electron';
import type {
  CallNotification,
  DialLink,
  HostEventName,
  LinkClaimOutcome,
  HostEventPayload,
  Language,
  FirmSwitchState,
  OwnPresence,
  Settings,
  UpdateStatus,
} from '../../protocol/index.js';
import { HostError } from '../../protocol/index.js';
import type { DesktopPort } from '../core/desktop/desktop-port.js';
import type { Logger } from '../core/log/logger.js';
import { LinkInbox } from './link-inbox.js';
import { CallNotifier } from './notifications.js';
import { SystemIdleMonitor } from './idle-monitor.js';
import { GlobalShortcut, applyStartAtLogin } from './system-settings.js';
import { TrayController } from './tray.js';
import type { TrayAction } from './tray-menu.js';
import type { UpdatePolicy } from './update-policy.js';

export type Emit = <E extends HostEventName>(event: E, payload: HostEventPayload<E>) => void;

export interface DesktopOptions {
  iconDir: string;
  currentVersion: string;
  log: Logger;
  emit: Emit;
  showWindow: () => void;
  quit: () => void;
  claimLinks: () => LinkClaimOutcome;
}

/**
 * The Electron side of the desktop host API: call state (display-sleep blocker, tray, updater),
 * presence in the tray, notifications, links, start at login, the global shortcut. Each piece is
 * its own small module; this class only routes between them and the renderer.
 */
export class DesktopIntegration implements DesktopPort {
  readonly links: LinkInbox;
  private readonly notifier: CallNotifier;
  private readonly tray: TrayController;
  private readonly shortcut: GlobalShortcut;
  private readonly idle: SystemIdleMonitor;
  private updates: UpdatePolicy | undefined;
  private presence: OwnPresence = 'offline';
  private firmSwitch: FirmSwitchState = null;
  private language: Language = 'de';
  private callActive = false;
  private blockerId: number | undefined;
  private startAtLogin: boolean | undefined;
  private trayReady = false;

  constructor(private readonly options: DesktopOptions) {
    this.links = new LinkInbox((link: DialLink) => options.emit('link.dial', link), options.log.child('links'));
    this.notifier = new CallNotifier(
      (click) => options.emit('desktop.notification.clicked', click),
      options.showWindow,
      options.log.child('notifications'),
    );
    this.tray = new TrayController(options.iconDir, (action) => this.onTrayAction(action));
    this.shortcut = new GlobalShortcut(
      () => options.emit('desktop.shortcut', { action: 'answer-or-hangup' }),
      options.log.child('shortcut'),
    );
    this.idle = new SystemIdleMonitor(
      {
        idleSeconds: () => powerMonitor.getSystemIdleTime(),
        onLockChange: (listener) => {
          const lock = () => listener(true);
          const unlock = () => listener(false);
          powerMonitor.on('lock-screen', lock);
          powerMonitor.on('unlock-screen', unlock);
          return () => {
            powerMonitor.off('lock-screen', lock);
            powerMonitor.off('unlock-screen', unlock);
          };
        },
      },
      (idle) => options.emit('desktop.idle', { idle }),
    );
  }

  /** Called once the app is ready (a tray needs it) and on every settings change. */
  applySettings(settings: Settings): void {
    this.language = settings.language;
    this.trayReady = true;
    this.refreshTray();
    if (settings.startAtLogin !== this.startAtLogin) {
      this.startAtLogin = settings.startAtLogin;
      applyStartAtLogin(settings.startAtLogin, this.options.log);
    }
    this.shortcut.apply(settings);
    this.updates?.setChannel(settings.updateChannel);
  }

  attachUpdater(policy: UpdatePolicy): void {
    this.updates = policy;
    policy.setCallActive(this.callActive);
  }

  setCallActive(active: boolean): void {
    if (active === this.callActive) return;
    this.callActive = active;
    if (active && this.blockerId === undefined) {
      this.blockerId = powerSaveBlocker.start('prevent-display-sleep');
    } else if (!active && this.blockerId !== undefined) {
      powerSaveBlocker.stop(this.blockerId);
      this.blockerId = undefined;
    }
    this.refreshTray();
    this.updates?.setCallActive(active);
  }

  setPresence(status: OwnPresence): void {
    this.presence = status;
    this.refreshTray();
  }

  setFirmSwitch(state: FirmSwitchState): void {
    this.firmSwitch = state;
    this.refreshTray();
  }

  watchIdle(thresholdSeconds: number): boolean {
    this.idle.watch(thresholdSeconds);
    return true;
  }

  notify(notification: CallNotification): boolean {
    return this.notifier.notify(notification);
  }

  closeNotification(id: string): void {
    this.notifier.close(id);
  }

  takePendingLinks(): DialLink[] {
    return this.links.take();
  }

  claimLinks(): LinkClaimOutcome {
    try {
      return this.options.claimLinks();
    } catch (error) {
      this.options.log.warn('link handler registration failed', { reason: String(error) });
      return 'unsupported';
    }
  }

  updateStatus(): UpdateStatus {
    return this.updates?.status() ?? this.unsupported();
  }

  checkForUpdates(): Promise<UpdateStatus> {
    return this.updates?.check() ?? Promise.resolve(this.unsupported());
  }

  installUpdate(): UpdateStatus {
    if (!this.updates) throw new HostError('not_configured', 'this build has no updater');
    return this.updates.install();
  }

  dispose(): void {
    this.shortcut.clear();
    this.idle.stop();
    this.notifier.closeAll();
    this.tray.destroy();
    this.updates?.stop();
    if (this.blockerId !== undefined) powerSaveBlocker.stop(this.blockerId);
    this.blockerId = undefined;
  }

  private onTrayAction(action: TrayAction): void {
    if (action.type === 'show') this.options.showWindow();
    else if (action.type === 'quit') this.options.quit();
    else if (action.type === 'firm') this.options.emit('desktop.firmSwitch.requested', { action: action.action });
    else this.options.emit('desktop.presence.requested', { status: action.status });
  }

  private refreshTray(): void {
    if (!this.trayReady) return;
    try {
      this.tray.update({
        presence: this.presence,
        callActive: this.callActive,
        language: this.language,
        firmSwitch: this.firmSwitch,
      });
    } catch (error) {
      // Some Linux desktops have no tray at all; the app works without one.
      this.options.log.warn('tray unavailable', { reason: String(error) });
    }
  }

  private unsupported(): UpdateStatus {
    return { state: 'unsupported', channel: 'stable', currentVersion: this.options.currentVersion };
  }
}
