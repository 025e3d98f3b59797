/**
 * The main process as it behaves on macOS, against the fake electron module in its macOS mode:
 * login items without arguments (wasOpenedAtLogin), the microphone consent dialog, and Squirrel.Mac
 * behind electron-updater's MacUpdater, whose quitAndInstall closes the windows before before-quit.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFakeElectron, FakeBrowserWindow } from '../../../helpers/fake-electron.js';
import { FakeAppUpdater } from '../../../helpers/fake-electron-updater.js';
import { askPermission, ipcCaller, pretendPlatform, pretendResources } from '../../../helpers/shell-harness.js';

const userData = mkdtempSync(join(tmpdir(), 'vermittlung-macos-'));
// launchd started the app at login: no arguments, only wasOpenedAtLogin tells.
const fake = createFakeElectron(userData, { packaged: true, platform: 'darwin', openedAtLogin: true });
vi.mock('electron', () => fake);
const updater = new FakeAppUpdater(fake, 'mac');
vi.mock('../../../../electron/main/runtime-modules.js', () => ({ loadElectronUpdater: () => ({ autoUpdater: updater }) }));

const argvBefore = process.argv;
const restore: (() => void)[] = [];

describe('the main process on macOS (fake electron)', () => {
  let window: FakeBrowserWindow;
  const call = ipcCaller(fake, () => window);
  const audio = { requestingUrl: 'app://vermittlung/index.html', mediaTypes: ['audio'] };

  beforeAll(async () => {
    restore.push(pretendPlatform('darwin'), pretendResources({ appUpdate: true }));
    process.argv = fake.app.loginLaunchArgv('/Applications/Vermittlung.app/Contents/MacOS/Vermittlung');
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

  it('stays in the menu bar when macOS started it at login, although no --hidden argument came along', () => {
    window.emit('ready-to-show');
    expect(window.visible).toBe(false);
  });

  it('turns start at login on and off as a login item without arguments (macOS has none)', async () => {
    await call('settings.set', { startAtLogin: true });
    expect(fake.app.getLoginItemSettings()).toMatchObject({ openAtLogin: true });
    expect(fake.app.loginLaunchArgv('/x')).toEqual(['/x']);
    await call('settings.set', { startAtLogin: false });
    expect(fake.app.getLoginItemSettings()).toMatchObject({ openAtLogin: false });
  });

  it('asks macOS for the microphone once, and gives it to the renderer only with the user’s yes', async () => {
    expect(await askPermission(fake, 'media', audio)).toBe(true);
    expect(fake.systemPreferences.asked).toEqual(['microphone']);
    expect(await askPermission(fake, 'media', audio)).toBe(true);
    expect(fake.systemPreferences.asked).toEqual(['microphone']); // answered once, not asked again
    // The user withdrew it in System Settings: the renderer gets no microphone.
    fake.mediaAccess.microphone = 'denied';
    expect(await askPermission(fake, 'media', audio)).toBe(false);
    fake.mediaAccess.microphone = 'granted';
    expect(await askPermission(fake, 'media', { ...audio, mediaTypes: ['audio', 'video'] })).toBe(false);
  });

  it('registers for tel:, sip: and callto: only when the user asks (Info.plist declares them)', async () => {
    expect(fake.app.protocolClients).toEqual([]);
    expect(await call('desktop.links.claim')).toEqual({ ok: true, value: { outcome: 'registered' } });
    expect(fake.app.protocolClients).toEqual(['tel', 'sip', 'callto']);
  });

  it('hands an update downloaded during a call to Squirrel, which installs it on quit', async () => {
    await call('desktop.callState', { callActive: true });
    updater.finishDownload('2.0.0');
    // MacUpdater asks Squirrel.Mac to fetch only if autoInstallOnAppQuit is true at this moment.
    await vi.waitFor(() => expect(fake.autoUpdater.squirrelHasUpdate).toBe(true));
    expect(await call('desktop.update.install')).toMatchObject({ ok: true, value: { state: 'install-deferred' } });
    expect(fake.autoUpdater.relaunchRequested).toBe(false);
  });

  it('"Jetzt installieren" after the call closes the window for real, quits and lets Squirrel restart the app', async () => {
    const wal = join(userData, 'vermittlung.db-wal');
    expect(existsSync(wal)).toBe(true); // the store is open
    let storeOpenAtExit: boolean | undefined;
    fake.app.on('quit', () => (storeOpenAtExit = existsSync(wal)));
    window.show();
    await call('desktop.callState', { callActive: false });
    await vi.waitFor(() => expect(fake.lifecycle.exitCode).toBe(0));
    expect(window.destroyed).toBe(true);
    expect(fake.autoUpdater.relaunchRequested).toBe(true);
    expect(fake.autoUpdater.installedAtQuit).toBe(true);
    expect(storeOpenAtExit).toBe(false);
  });
});
