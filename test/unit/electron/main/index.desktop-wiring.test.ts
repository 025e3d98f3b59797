import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../../helpers/repo-root.js';
import { createFakeElectron, FakeBrowserWindow, FakeNotification, FakeTray } from '../../../helpers/fake-electron.js';
import { FakeAppUpdater } from '../../../helpers/fake-electron-updater.js';
import { askPermission, ipcCaller, pretendResources } from '../../../helpers/shell-harness.js';

const userData = mkdtempSync(join(tmpdir(), 'vermittlung-desktop-'));
// Start at login on Linux writes an XDG autostart entry: keep it away from the real home.
const xdgConfig = mkdtempSync(join(tmpdir(), 'vermittlung-xdg-'));
vi.stubEnv('XDG_CONFIG_HOME', xdgConfig);
// A window left on a second monitor that is no longer connected.
writeFileSync(
  join(userData, 'window-state.json'),
  JSON.stringify({ x: 2500, y: 200, width: 1100, height: 750, maximized: true }),
);
const fake = createFakeElectron(userData, {
  packaged: true,
  platform: 'linux',
  displays: [{ id: 7, workArea: { x: 0, y: 0, width: 1600, height: 900 } }],
});
vi.mock('electron', () => fake);
// An AppImage: the one Linux package that updates itself (electron/main/update-route.ts).
vi.stubEnv('APPIMAGE', '/opt/vermittlung/Vermittlung.AppImage');
const restoreResources = pretendResources({ appUpdate: true });
const updater = new FakeAppUpdater(fake, 'appimage');
vi.mock('../../../../electron/main/runtime-modules.js', () => ({ loadElectronUpdater: () => ({ autoUpdater: updater }) }));

const argvBefore = process.argv;

describe('desktop integration in the main process (fake electron)', () => {
  let window: FakeBrowserWindow;
  const events = () => window.webContents.sent.map((s) => s.payload as { event: string; payload: unknown });
  const call = ipcCaller(fake, () => window);

  beforeAll(async () => {
    // The app was started by a click on a tel: link.
    process.argv = [...argvBefore, 'tel:+49 30 123'];
    await import('../../../../electron/main/index.js');
    fake.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.all).toHaveLength(1));
    window = FakeBrowserWindow.all[0]!;
    await vi.waitFor(() => expect(updater.channel).not.toBeNull());
  });
  afterAll(() => {
    process.argv = argvBefore;
    vi.unstubAllEnvs();
    restoreResources();
  });

  it('repeats the hardened webPreferences literally and disables middle-click windows', async () => {
    const { mainWindowOptions } = await import('../../../../electron/main/security.js');
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject(mainWindowOptions('/app/dist/electron/preload.cjs').webPreferences!);
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
  });

  it('restores the window on a visible display, maximised as it was, and saves it on close', () => {
    expect(window.options).toMatchObject({ width: 1100, height: 750 });
    expect(window.options.x as number).toBeLessThan(1600 - 100);
    window.emit('ready-to-show');
    expect(window.maximized).toBe(true);
    expect(window.visible).toBe(true);
    window.bounds = { x: 40, y: 50, width: 1000, height: 700 };
    // Closing hides to the tray: the phone must keep ringing.
    expect(window.attemptClose()).toBe(true);
    expect(window.visible).toBe(false);
    expect(JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8'))).toEqual({
      x: 40,
      y: 50,
      width: 1000,
      height: 700,
      maximized: true,
    });
  });

  it("does not make itself the default for tel:, sip: and callto: at start: that is the user's or IT's choice", () => {
    // Registering at every start would take the links back from whatever app the user chose since.
    expect(fake.app.protocolClients).toEqual([]);
  });

  it('becomes the default for phone links when the user asks for it, once', async () => {
    expect(await call('desktop.links.claim')).toEqual({ ok: true, value: { outcome: 'registered' } });
    expect(fake.app.protocolClients).toEqual(['tel', 'sip', 'callto']);
    expect(await call('desktop.links.claim', { force: true })).toMatchObject({ ok: false, error: { code: 'validation' } });
  });

  it('serves app:// with the stream privilege, so the ringtone <audio> plays from it', () => {
    expect(fake.protocol.audioPlays('app://vermittlung/assets/ring.wav')).toBe(true);
  });

  it('lets the renderer have the microphone without asking the OS: on Linux apps are not asked', async () => {
    expect(fake.systemPreferences.askForMediaAccess).toBeUndefined();
    expect(await askPermission(fake, 'media', { requestingUrl: 'app://vermittlung/index.html', mediaTypes: ['audio'] })).toBe(
      true,
    );
  });

  it('keeps the launch link until the renderer takes it, then forwards second-instance links as events', async () => {
    expect(await call('desktop.links.take')).toEqual({
      ok: true,
      value: [{ kind: 'number', number: '+4930123', scheme: 'tel' }],
    });
    expect(await call('desktop.links.take')).toEqual({ ok: true, value: [] });
    fake.app.emit('second-instance', {}, ['/opt/Vermittlung/vermittlung', '--no-sandbox', 'sip:alice@example.org'], '/');
    expect(events().at(-1)).toEqual({
      event: 'link.dial',
      payload: { kind: 'sip', uri: 'sip:alice@example.org', scheme: 'sip' },
    });
    expect(window.visible).toBe(true);
    const before = events().length;
    fake.app.emit('second-instance', {}, ['/opt/Vermittlung/vermittlung', 'tel:javascript:alert(1)'], '/');
    let prevented = false;
    fake.app.emit('open-url', { preventDefault: () => (prevented = true) }, 'callto://0301234');
    expect(prevented).toBe(true);
    expect(events().slice(before)).toEqual([
      { event: 'link.dial', payload: { kind: 'number', number: '0301234', scheme: 'callto' } },
    ]);
  });

  it('reports system idle time and a locked screen from powerMonitor as desktop.idle events', async () => {
    const idleEvents = () => events().filter((e) => e.event === 'desktop.idle');
    const before = idleEvents().length;
    fake.powerMonitor.idleSeconds = 30;
    expect(await call('desktop.idle.watch', { thresholdSeconds: 600 })).toEqual({ ok: true, value: { system: true } });
    expect(idleEvents()).toHaveLength(before);
    fake.powerMonitor.emit('lock-screen');
    expect(idleEvents().slice(before)).toEqual([{ event: 'desktop.idle', payload: { idle: true } }]);
    fake.powerMonitor.emit('unlock-screen');
    expect(idleEvents().slice(before).at(-1)).toEqual({ event: 'desktop.idle', payload: { idle: false } });
    // Idle for 11 minutes on the machine, threshold lowered to 10 → away at once.
    fake.powerMonitor.idleSeconds = 660;
    await call('desktop.idle.watch', { thresholdSeconds: 900 });
    expect(idleEvents().slice(before)).toHaveLength(2);
    await call('desktop.idle.watch', { thresholdSeconds: 600 });
    expect(idleEvents().slice(before).at(-1)).toEqual({ event: 'desktop.idle', payload: { idle: true } });
    // 0 = never: back to not idle, and the lock listeners are gone.
    await call('desktop.idle.watch', { thresholdSeconds: 0 });
    expect(idleEvents().slice(before).at(-1)).toEqual({ event: 'desktop.idle', payload: { idle: false } });
    expect(fake.powerMonitor.listenerCount('lock-screen')).toBe(0);
    expect(await call('desktop.idle.watch', { thresholdSeconds: -5 })).toMatchObject({
      ok: false,
      error: { code: 'validation' },
    });
    expect(await call('desktop.idle.watch', { thresholdSeconds: 60, extra: 1 })).toMatchObject({ ok: false });
  });

  it('shows presence in the tray, switches to in-call during a call and routes menu actions', async () => {
    const tray = FakeTray.all.at(-1)!;
    expect(tray.image).toEqual({ path: '/app/resources/tray/offline.png' });
    expect(await call('desktop.presence', { status: 'available' })).toMatchObject({ ok: true });
    expect(tray.image).toEqual({ path: '/app/resources/tray/available.png' });
    expect(tray.tooltip).toBe('Vermittlung – Verfügbar');
    expect(tray.menu.filter((i) => i.type === 'radio').map((i) => [i.label, i.checked])).toEqual([
      ['Verfügbar', true],
      ['Abwesend', false],
      ['Nicht stören', false],
      ['Offline', false],
    ]);

    expect(await call('desktop.callState', { callActive: true })).toMatchObject({ ok: true });
    expect(tray.image).toEqual({ path: '/app/resources/tray/in-call.png' });
    expect([...fake.powerSaveBlocker.active.values()]).toEqual(['prevent-display-sleep']);
    expect(await call('desktop.callState', { callActive: false })).toMatchObject({ ok: true });
    expect(fake.powerSaveBlocker.active.size).toBe(0);
    expect(tray.image).toEqual({ path: '/app/resources/tray/available.png' });

    tray.menu.find((i) => i.id === 'presence-dnd')!.click!();
    expect(events().at(-1)).toEqual({ event: 'desktop.presence.requested', payload: { status: 'dnd' } });
    window.hide();
    tray.menu.find((i) => i.id === 'show')!.click!();
    expect(window.visible).toBe(true);
    expect(tray.menu.find((i) => i.id === 'quit')!.click).toBeTypeOf('function'); // clicked in the last test

    await call('settings.set', { language: 'en' });
    expect(FakeTray.all.at(-1)!.menu.find((i) => i.id === 'quit')!.label).toBe('Quit');
  });

  it("shows the craftsman's switch in the tray while the renderer reports one, and routes its items back", async () => {
    await call('settings.set', { language: 'de' });
    const items = () => FakeTray.all.at(-1)!.menu.filter((i) => i.id?.startsWith('firm-'));
    expect(items()).toEqual([]);
    const state = { consulting: false, status: 'Servicezeit bis 18:00' };
    expect(await call('desktop.firmSwitch', { state })).toMatchObject({ ok: true });
    expect(items().map((i) => [i.label, i.enabled ?? true])).toEqual([
      ['Servicezeit bis 18:00', false],
      ['Sprechstunde beginnen', true],
      ['Heute nicht erreichbar', true],
    ]);
    items().find((i) => i.id === 'firm-start')!.click!();
    expect(events().at(-1)).toEqual({ event: 'desktop.firmSwitch.requested', payload: { action: 'start' } });
    await call('desktop.firmSwitch', { state: { consulting: true, status: 'Sprechstunde bis auf Weiteres' } });
    items().find((i) => i.id === 'firm-end')!.click!();
    expect(events().at(-1)).toEqual({ event: 'desktop.firmSwitch.requested', payload: { action: 'end' } });
    expect(await call('desktop.firmSwitch', { state: { consulting: true, status: 'x'.repeat(201) } })).toMatchObject({
      ok: false,
    });
    await call('desktop.firmSwitch', { state: null });
    expect(items()).toEqual([]);
  });

  it('shows call notifications, routes clicks to the renderer and honours the setting', async () => {
    expect(await call('desktop.notify', { id: 'call-1', kind: 'incoming', title: 'Anruf', body: 'Tischlerei Holz' })).toEqual({
      ok: true,
      value: { shown: true },
    });
    const incoming = FakeNotification.all.at(-1)!;
    expect(incoming.shown).toBe(true);
    expect(incoming.options).toMatchObject({ title: 'Anruf', body: 'Tischlerei Holz', timeoutType: 'never' });
    window.hide();
    incoming.emit('click');
    expect(window.visible).toBe(true);
    expect(events().at(-1)).toEqual({
      event: 'desktop.notification.clicked',
      payload: { id: 'call-1', kind: 'incoming', action: 'answer' },
    });

    await call('desktop.notify', { id: 'call-2', kind: 'missed', title: 'Verpasster Anruf' });
    FakeNotification.all.at(-1)!.emit('click');
    expect(events().at(-1)).toMatchObject({ payload: { id: 'call-2', action: 'open' } });

    await call('desktop.notify', { id: 'call-3', kind: 'incoming', title: 'Anruf' });
    expect(await call('desktop.notify.close', { id: 'call-3' })).toMatchObject({ ok: true });
    expect(FakeNotification.all.at(-1)!.closed).toBe(true);

    expect(await call('desktop.notify', { id: 'x', kind: 'incoming', title: 'x'.repeat(201) })).toMatchObject({
      ok: false,
      error: { code: 'validation' },
    });
    const count = FakeNotification.all.length;
    await call('settings.set', { notifications: false });
    expect(await call('desktop.notify', { id: 'call-4', kind: 'missed', title: 'Verpasst' })).toEqual({
      ok: true,
      value: { shown: false },
    });
    expect(FakeNotification.all).toHaveLength(count);
    await call('settings.set', { notifications: true });
  });

  it("raises the craftsman's notification for new mail of his firm; a click opens the app and tells the renderer", async () => {
    // The renderer asks for it when the core announces mail.arrived (renderer/src/state/post.svelte.ts).
    const before = FakeNotification.all.length;
    expect(
      await call('desktop.notify', {
        id: 'mail-7',
        kind: 'mail',
        title: 'Neue Post: Amtsgericht',
        body: 'Gericht – Frist 09.12.2026',
      }),
    ).toEqual({ ok: true, value: { shown: true } });
    expect(FakeNotification.all).toHaveLength(before + 1);
    const mail = FakeNotification.all.at(-1)!;
    expect(mail.shown).toBe(true);
    expect(mail.options).toMatchObject({
      title: 'Neue Post: Amtsgericht',
      body: 'Gericht – Frist 09.12.2026',
      urgency: 'normal',
    });
    expect(mail.options.timeoutType).not.toBe('never');
    window.hide();
    mail.emit('click');
    expect(window.visible).toBe(true);
    expect(events().at(-1)).toEqual({
      event: 'desktop.notification.clicked',
      payload: { id: 'mail-7', kind: 'mail', action: 'open' },
    });
  });

  it("opens Electron's folder dialog for the scanner folder and its file dialog before a scan is filed", async () => {
    fake.dialog.answers.push('/srv/scans');
    expect(await call('intake.pickFolder')).toEqual({ ok: true, value: { folder: '/srv/scans' } });
    expect(fake.dialog.opened.at(-1)?.properties).toContain('openDirectory');
    // Cancelled: nothing chosen, nothing changed.
    expect(await call('intake.pickFolder')).toEqual({ ok: true, value: null });
    expect(await call('documents.pick')).toEqual({ ok: true, value: null });
    expect(fake.dialog.opened.at(-1)).toMatchObject({ properties: ['openFile'] });
  });

  it('applies start at login and the global shortcut from the settings', async () => {
    const autostart = join(xdgConfig, 'autostart', 'vermittlung.desktop');
    await call('settings.set', { startAtLogin: true });
    if (process.platform === 'linux') expect(readFileSync(autostart, 'utf8')).toMatch(/^Exec=".+" --hidden$/m);
    else expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
    await call('settings.set', { startAtLogin: false });
    if (process.platform === 'linux') expect(existsSync(autostart)).toBe(false);
    else expect(fake.app.loginItem).toEqual({ openAtLogin: false, args: ['--hidden'] });

    const { linuxAutostartEntry } = await import('../../../../electron/main/system-settings.js');
    expect(linuxAutostartEntry('/opt/My "App"/$x')).toContain('Exec="/opt/My \\"App\\"/\\$x" --hidden');

    expect(fake.globalShortcut.registered.size).toBe(0); // off by default
    await call('settings.set', { globalShortcutEnabled: true, globalShortcut: 'CommandOrControl+Alt+A' });
    expect([...fake.globalShortcut.registered.keys()]).toEqual(['CommandOrControl+Alt+A']);
    fake.globalShortcut.registered.get('CommandOrControl+Alt+A')!();
    expect(events().at(-1)).toEqual({ event: 'desktop.shortcut', payload: { action: 'answer-or-hangup' } });

    fake.globalShortcut.taken.add('CommandOrControl+Alt+B');
    await call('settings.set', { globalShortcut: 'CommandOrControl+Alt+B' });
    expect(fake.globalShortcut.registered.size).toBe(0);
    expect(await call('settings.set', { globalShortcut: 'A' })).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'input.globalShortcut' },
    });
    await call('settings.set', { globalShortcutEnabled: false });
    expect(fake.globalShortcut.registered.size).toBe(0);
  });

  it('runs electron-updater under the policy: channel from settings, feed from the channel', async () => {
    expect(updater).toMatchObject({ channel: 'latest', autoDownload: true, allowDowngrade: false, disableWebInstaller: true });
    await call('settings.set', { updateChannel: 'beta' });
    expect(updater).toMatchObject({ channel: 'beta', allowPrerelease: true });
    expect(await call('desktop.update.install')).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // The download finishes while a call is active; the call ends later.
    await call('desktop.callState', { callActive: true });
    updater.finishDownload('2.0.0-beta.1');
    expect(events().at(-1)).toMatchObject({
      event: 'desktop.update.status',
      payload: { state: 'downloaded', version: '2.0.0-beta.1' },
    });
    await call('desktop.callState', { callActive: false });
    expect(updater.installs).toEqual([]);
  });

  it('starts no updater in an unpackaged build, where IT switched it off, or for a deb', async () => {
    const { startUpdater } = await import('../../../../electron/main/updater.js');
    const log = { log() {}, info() {}, warn() {}, error() {}, child: () => log };
    const options = { channel: 'stable' as const, log, onStatus: () => undefined };
    vi.stubEnv('VERMITTLUNG_DISABLE_UPDATES', '1');
    expect(startUpdater(options)).toBeUndefined();
    vi.stubEnv('VERMITTLUNG_DISABLE_UPDATES', '');
    fake.app.isPackaged = false;
    expect(startUpdater(options)).toBeUndefined();
    fake.app.isPackaged = true;
    vi.stubEnv('APPIMAGE', '');
    expect(startUpdater(options)).toBeUndefined();
    vi.stubEnv('APPIMAGE', '/opt/vermittlung/Vermittlung.AppImage');
    const checks = updater.checks;
    const policy = startUpdater(options);
    expect(policy).toBeDefined();
    policy!.stop();
    expect(updater.checks).toBe(checks); // the first check waits a moment after start
  });

  it('finds autoUpdater on the CommonJS electron-updater as the built main process requires it', async () => {
    const { autoUpdaterOf } = await import('../../../../electron/main/updater.js');
    expect(autoUpdaterOf({ autoUpdater: updater } as never)).toBe(updater);
    expect(autoUpdaterOf({ default: { autoUpdater: updater } } as never)).toBe(updater);
    expect(() => autoUpdaterOf({})).toThrow(/no autoUpdater/);
    // The real package, required as main.cjs requires it (vi.mock does not reach a child Node).
    const probe = "console.log(JSON.stringify({ named: 'autoUpdater' in require('electron-updater') }))";
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', probe], {
      cwd: REPO_ROOT,
    });
    expect(JSON.parse(stdout)).toEqual({ named: true });
  });

  it('on quit: releases tray, shortcut and blocker, closes the store before exiting, then installs the update', async () => {
    const wal = join(userData, 'vermittlung.db-wal');
    expect(existsSync(wal)).toBe(true); // the store is open
    let storeOpenAtExit: boolean | undefined;
    fake.app.on('quit', () => (storeOpenAtExit = existsSync(wal)));
    await call('settings.set', { globalShortcutEnabled: true, globalShortcut: 'CommandOrControl+Alt+A' });
    await call('desktop.callState', { callActive: true });
    FakeTray.all.at(-1)!.menu.find((i) => i.id === 'quit')!.click!();
    expect(window.destroyed).toBe(true); // quitting: the window really closes, it does not hide
    await vi.waitFor(() => expect(fake.lifecycle.exitCode).toBe(0));
    expect(storeOpenAtExit).toBe(false);
    // The update downloaded during the earlier call is installed on quit (electron-updater's quit handler).
    expect(updater.installs).toEqual([{ how: 'on-quit', isSilent: true, isForceRunAfter: false, sudo: false }]);
    expect(FakeTray.all.at(-1)!.destroyed).toBe(true);
    expect(fake.globalShortcut.registered.size).toBe(0);
    expect(fake.powerSaveBlocker.active.size).toBe(0);
  });
});
