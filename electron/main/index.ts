/**
 * The Electron shell. It only wires: windows, the app:// protocol, IPC, single instance. Every
 * capability lives in the core services, which know nothing of Electron.
 */
import { BrowserWindow, app, ipcMain, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { IPC_EVENT } from '../../protocol/index.js';
import { createCore, type Core } from '../core/composition.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { handle } from './ipc.js';
import { APP_URL, hardenWebContents, installPermissionHandlers, isAllowedExternalUrl, mainWindowOptions } from './security.js';

app.enableSandbox();
registerAppScheme(protocol);

const openExternal = (url: string): void => {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
};

let mainWindow: BrowserWindow | undefined;
let core: Core | undefined;

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(join(app.getAppPath(), 'dist', 'electron', 'preload.cjs')));
  hardenWebContents(window.webContents, openExternal);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_URL);
  return window;
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));

  void app.whenReady().then(() => {
    installPermissionHandlers(session.defaultSession);
    serveRenderer(protocol, join(app.getAppPath(), 'dist', 'renderer'));
    core = createCore({ profileDir: app.getPath('userData'), appVersion: app.getVersion(), shell: 'electron' });
    handle(ipcMain, core.dispatch, core.log.child('ipc'));
    core.events.subscribe((event) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC_EVENT, event);
    });
    mainWindow = createMainWindow();
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    void core?.close();
  });
}
