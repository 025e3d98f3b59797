/**
 * The Electron shell. It only wires: windows, the app:// protocol, IPC, single instance and the
 * desktop integration (tray, notifications, links, shortcut, updater). Every capability lives in
 * the core services or in small modules beside this file.
 */
import { BrowserWindow, app, autoUpdater, ipcMain, protocol, session, shell, systemPreferences } from 'electron';
import { join } from 'node:path';
import { IPC_EVENT, Settings } from '../../protocol/index.js';
import { createCore, type Core } from '../core/composition.js';
import { electronSafeStorage } from './safe-storage.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { DeferredLogger } from './deferred-logger.js';
import { electronDocumentDialogs } from './document-dialogs.js';
import { DesktopIntegration, type Emit } from './desktop.js';
import { handle } from './ipc.js';
import { claimLinkSchemes } from './link-handler.js';
import { hardenWebContents, installPermissionHandlers, isAllowedExternalUrl } from './security.js';
import { QuitSequence } from './quit.js';
import { launchedAtLogin } from './system-settings.js';
import { startUpdater } from './updater.js';
import { createMainWindow } from './window.js';

app.enableSandbox();
registerAppScheme(protocol);
// Windows shows notifications only for an app whose id matches its Start-menu shortcut (the appId
// in electron-builder.config.ts).
if (process.platform === 'win32') app.setAppUserModelId('de.vermittlung.softphone');

/** The one way to the OS's URL handler; callers decide what may go through it. */
const openInOs = (url: string): void => void shell.openExternal(url);
const openExternal = (url: string): void => {
  // From the renderer only https:, mailto: and tel: (isAllowedExternalUrl) ever reach the OS.
  if (isAllowedExternalUrl(url)) openInOs(url);
};

let mainWindow: BrowserWindow | undefined;
let core: Core | undefined;

const desktopLog = new DeferredLogger('desktop');
const quit = new QuitSequence(
  app,
  autoUpdater,
  async () => {
    desktop.dispose();
    await core?.close();
  },
  (error) => desktopLog.warn('core did not close cleanly before exit', { reason: String(error) }),
);
const emit: Emit = (event, payload) => core?.events.emit(event, payload);

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

const desktop = new DesktopIntegration({
  iconDir: join(app.getAppPath(), 'resources', 'tray'),
  currentVersion: app.getVersion(),
  log: desktopLog,
  emit,
  showWindow: focusMainWindow,
  quit: () => app.quit(),
  claimLinks: () =>
    claimLinkSchemes({
      platform: process.platform,
      packaged: app.isPackaged,
      makeDefault: (scheme) => app.setAsDefaultProtocolClient(scheme),
      openSettings: openInOs,
    }),
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch (e.g. a tel: link clicked while the app runs) hands its command line over here.
  app.on('second-instance', (_event, argv: string[]) => {
    desktop.links.fromArgv(argv);
    focusMainWindow();
  });
  // macOS delivers links as events, possibly before `ready`.
  app.on('open-url', (event, url: string) => {
    event.preventDefault();
    desktop.links.fromUrl(url);
    focusMainWindow();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
  app.on('activate', focusMainWindow);
  desktop.links.fromArgv(process.argv);

  void app.whenReady().then(async () => {
    // macOS asks the user once whether the app may use the microphone; elsewhere the OS does not ask apps.
    installPermissionHandlers(
      session.defaultSession,
      process.platform === 'darwin' ? () => systemPreferences.askForMediaAccess('microphone') : undefined,
    );
    serveRenderer(protocol, join(app.getAppPath(), 'dist', 'renderer'));
    const profileDir = app.getPath('userData');
    core = createCore({
      profileDir,
      appVersion: app.getVersion(),
      shell: 'electron',
      desktop,
      safeStorage: electronSafeStorage(),
      documentDialogs: electronDocumentDialogs(),
    });
    desktopLog.attach(core.log);
    handle(ipcMain, core.dispatch, core.log.child('ipc'));
    core.events.subscribe((event) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC_EVENT, event);
      if (event.event === 'settings.changed') desktop.applySettings(event.payload);
    });
    const settings = await currentSettings(core);
    desktop.applySettings(settings);
    mainWindow = createMainWindow({
      preloadPath: join(app.getAppPath(), 'dist', 'electron', 'preload.cjs'),
      stateFile: join(profileDir, 'window-state.json'),
      startHidden: launchedAtLogin(process.platform, process.argv, () => app.getLoginItemSettings()),
      hideOnClose: () => !quit.quitting,
      harden: (window) => hardenWebContents(window.webContents, openExternal),
      log: core.log.child('window'),
    });
    const policy = startUpdater({
      channel: settings.updateChannel,
      log: core.log.child('updater'),
      onStatus: (status) => emit('desktop.update.status', status),
    });
    if (policy) desktop.attachUpdater(policy);
  });

  app.on('window-all-closed', () => app.quit());
}

async function currentSettings(core: Core): Promise<Settings> {
  const result = await core.dispatch('settings.get', undefined, { origin: 'main' });
  return result.ok ? Settings.parse(result.value) : Settings.parse({});
}
