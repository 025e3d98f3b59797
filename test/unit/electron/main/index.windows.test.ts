/**
 * The main process as it behaves on Windows, against the fake electron module in its Windows mode:
 * the Run key carries `--hidden`, no microphone dialog exists, and electron-updater's NsisUpdater
 * (a BaseUpdater) installs on quit or through quitAndInstall.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFakeElectron, FakeBrowserWindow } from '../../../helpers/fake-electron.js';
import { FakeAppUpdater } from '../../../helpers/fake-electron-updater.js';
import { askPermission, ipcCaller, pretendPlatform, pretendResources } from '../../../helpers/shell-harness.js';

const userData = mkdtempSync(join(tmpdir(), 'vermittlung-windows-'));
const fake = createFakeElectron(userData, { packaged: true, platform: 'win32' });
vi.mock('electron', () => fake);
const updater = new FakeAppUpdater(fake, 'nsis');
vi.mock('../../../../electron/main/runtime-modules.js', () => ({ loadElectronUpdater: () => ({ autoUpdater: updater }) }));

const EXE = 'C:\\Program Files\\Vermittlung\\Vermittlung.exe';
const argvBefore = process.argv;
const restore: (() => void)[] = [];

describe('the main process on Windows (fake electron)', () => {
  let window: FakeBrowserWindow;
  const call = ipcCaller(fake, () => window);

  beforeAll(async () => {
    restore.push(pretendPlatform('win32'), pretendResources({ appUpdate: true }));
    // Windows ran the Run key's command line at sign-in.
    process.argv = [EXE, '--hidden'];
    await import('../../../../electron/main/index.js');
    fake.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.all).toHaveLength(1));
    window = FakeBrowserWindow.all[0]!;
    await vi.waitFor(() => expect(updater.channel).toBe('latest'));
  });
  afterAll(() => {
    process.argv = argvBefore;
    for (const undo of restore.reverse()) undo();
  });

  it('names itself with the appId, so Windows shows its notifications', () => {
    expect(fake.calls).toContain('setAppUserModelId:de.vermittlung.softphone');
  });

  it('stays in the tray when started by the Run key, and writes exactly that command line', async () => {
    window.emit('ready-to-show');
    expect(window.visible).toBe(false);
    await call('settings.set', { startAtLogin: true });
    expect(fake.app.getLoginItemSettings()).toMatchObject({ openAtLogin: true, executableWillLaunchAtLogin: true });
    expect(fake.app.loginLaunchArgv(EXE)).toEqual(process.argv);
    await call('settings.set', { startAtLogin: false });
    expect(fake.app.getLoginItemSettings()).toMatchObject({ openAtLogin: false });
  });

  it('gives the renderer the microphone without a dialog Windows does not have', async () => {
    expect(fake.systemPreferences.askForMediaAccess).toBeUndefined();
    expect(await askPermission(fake, 'media', { requestingUrl: 'app://vermittlung/index.html', mediaTypes: ['audio'] })).toBe(
      true,
    );
  });

  it('leaves tel:, sip: and callto: to the installer and the user (Windows 10+ ignores self-registration)', () => {
    expect(fake.app.protocolClients).toEqual([]);
  });

  it('opens the Default-apps settings when the user asks to use it for phone links', async () => {
    expect(await call('desktop.links.claim')).toEqual({ ok: true, value: { outcome: 'opened-settings' } });
    expect(fake.shell.opened).toEqual(['ms-settings:defaultapps']);
    expect(fake.app.protocolClients).toEqual([]);
  });

  it('"Jetzt installieren" during a call waits; after it the window closes, the store closes, the installer runs once', async () => {
    await call('desktop.callState', { callActive: true });
    updater.finishDownload('2.0.0');
    expect(await call('desktop.update.install')).toMatchObject({ ok: true, value: { state: 'install-deferred' } });
    expect(updater.installs).toEqual([]);

    const wal = join(userData, 'vermittlung.db-wal');
    expect(existsSync(wal)).toBe(true);
    let storeOpenAtExit: boolean | undefined;
    fake.app.on('quit', () => (storeOpenAtExit = existsSync(wal)));
    await call('desktop.callState', { callActive: false });
    await vi.waitFor(() => expect(fake.lifecycle.exitCode).toBe(0));
    expect(window.destroyed).toBe(true);
    expect(storeOpenAtExit).toBe(false);
    // Silent NSIS run that starts the app again; the quit handler does not start a second one.
    expect(updater.installs).toEqual([{ how: 'explicit', isSilent: true, isForceRunAfter: true, sudo: false }]);
  });
});
