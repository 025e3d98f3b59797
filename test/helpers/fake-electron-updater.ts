/**
 * A stand-in for electron-updater's `autoUpdater`, for the main process wired against the fake
 * electron module. It keeps the two behaviours the shell depends on from electron-updater 6.8
 * (node_modules/electron-updater/out/…):
 *
 * - BaseUpdater (NSIS, AppImage, deb): when a download finishes, `update-downloaded` is emitted and
 *   then `addQuitHandler()` runs — which installs nothing on quit, for good, if
 *   `autoInstallOnAppQuit` is false at that moment (BaseUpdater.js executeDownload/addQuitHandler).
 *   The quit handler listens to the app's `quit` event (ElectronAppAdapter.onQuit) and reads the
 *   flag again then. `quitAndInstall()` starts the installer, then on the next tick emits
 *   electron's `autoUpdater` `before-quit-for-update` and calls `app.quit()`.
 * - MacUpdater: when a download finishes, `update-downloaded` is emitted and Squirrel.Mac is only
 *   asked to fetch the update if `autoInstallOnAppQuit` is true at that moment
 *   (MacUpdater.js doDownloadUpdate); `quitAndInstall()` hands over to Squirrel's native
 *   `quitAndInstall()` once Squirrel has the update (MacUpdater.js quitAndInstall/handleUpdateDownloaded).
 */
import { EventEmitter } from 'node:events';
import type { FakeElectron } from './fake-electron.js';

export type FakeUpdaterKind = 'nsis' | 'appimage' | 'deb' | 'mac';

export class FakeAppUpdater extends EventEmitter {
  // AppUpdater.js defaults.
  channel: string | null = null;
  allowPrerelease = false;
  allowDowngrade = false;
  autoDownload = true;
  autoInstallOnAppQuit = true;
  autoRunAppAfterInstall = true;
  forceDevUpdateConfig = false;
  disableWebInstaller = false;
  logger: unknown = null;

  checks = 0;
  /** Installers started: by quitAndInstall (`explicit`) or by the quit handler (`on-quit`). */
  installs: { how: 'explicit' | 'on-quit'; isSilent: boolean; isForceRunAfter: boolean; sudo: boolean }[] = [];
  private downloaded = false;
  private quitHandlerAdded = false;
  private quitAndInstallCalled = false;

  constructor(
    private readonly electron: FakeElectron,
    readonly kind: FakeUpdaterKind,
  ) {
    super();
  }

  checkForUpdates(): Promise<null> {
    this.checks++;
    return Promise.resolve(null);
  }

  /** The feed offered `version` and its download finished and verified. */
  finishDownload(version: string): void {
    this.emit('update-available', { version });
    this.downloaded = true;
    this.emit('update-downloaded', { version });
    if (this.kind === 'mac') {
      // MacUpdater.js: `if (this.autoInstallOnAppQuit) this.nativeUpdater.checkForUpdates()`.
      if (this.autoInstallOnAppQuit) this.electron.autoUpdater.checkForUpdates();
      return;
    }
    this.addQuitHandler();
  }

  quitAndInstall(isSilent = false, isForceRunAfter = false): void {
    if (this.kind === 'mac') {
      const native = this.electron.autoUpdater;
      const handover = () => (this.autoRunAppAfterInstall ? native.quitAndInstall() : this.electron.app.quit());
      if (native.squirrelHasUpdate) handover();
      else {
        native.once('update-downloaded', handover);
        if (!this.autoInstallOnAppQuit) native.checkForUpdates();
      }
      return;
    }
    if (this.install('explicit', isSilent, isSilent ? isForceRunAfter : this.autoRunAppAfterInstall)) {
      setImmediate(() => {
        this.electron.autoUpdater.emit('before-quit-for-update');
        this.electron.app.quit();
      });
    } else {
      this.quitAndInstallCalled = false;
    }
  }

  private addQuitHandler(): void {
    if (this.quitHandlerAdded || !this.autoInstallOnAppQuit) return;
    this.quitHandlerAdded = true;
    this.electron.app.once('quit', (_event: unknown, exitCode: number) => {
      if (this.quitAndInstallCalled || !this.autoInstallOnAppQuit || exitCode !== 0) return;
      this.install('on-quit', true, false);
    });
  }

  private install(how: 'explicit' | 'on-quit', isSilent: boolean, isForceRunAfter: boolean): boolean {
    if (this.quitAndInstallCalled || !this.downloaded) return false;
    this.quitAndInstallCalled = true;
    // DebUpdater/LinuxUpdater.runCommandWithSudoIfNeeded: dpkg -i through pkexec/gksudo/sudo.
    this.installs.push({ how, isSilent, isForceRunAfter, sudo: this.kind === 'deb' });
    return true;
  }
}
