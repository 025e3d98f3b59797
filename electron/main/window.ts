import { BrowserWindow, screen } from 'electron';
import type { Logger } from '../core/log/logger.js';
import { APP_URL, mainWindowOptions } from './security.js';
import { loadWindowState, restoreBounds, saveWindowState } from './window-state.js';

export interface MainWindowOptions {
  preloadPath: string;
  stateFile: string;
  /** Started at login: stay in the tray until the user opens the window. */
  startHidden: boolean;
  /** While true, closing the window hides it (the phone keeps ringing); quitting sets it false. */
  hideOnClose: () => boolean;
  harden: (window: BrowserWindow) => void;
  log: Logger;
}

/** The main window, opened where it was left (if that is still on a display) and remembered on close. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const base = mainWindowOptions(options.preloadPath);
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...screen.getAllDisplays().filter((display) => display.id !== primary.id)].map((d) => d.workArea);
  const bounds = restoreBounds(loadWindowState(options.stateFile), areas);
  const window = new BrowserWindow({
    ...base,
    x: bounds.x,
    y: bounds.y,
    width: bounds.width,
    height: bounds.height,
    // The security settings of mainWindowOptions, repeated as literals at the construction site so
    // Electronegativity can verify them statically (it does not follow function calls);
    // test/unit/electron/main/index.desktop-wiring.test.ts asserts both stay equal.
    webPreferences: {
      ...base.webPreferences,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click would open links in a new window; window.open is denied anyway.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  options.harden(window);
  window.once('ready-to-show', () => {
    if (bounds.maximized) window.maximize();
    if (!options.startHidden) window.show();
  });
  window.on('close', (event) => {
    try {
      const normal = window.getNormalBounds();
      saveWindowState(options.stateFile, { ...normal, maximized: window.isMaximized() });
    } catch (error) {
      options.log.warn('window state not saved', { reason: String(error) });
    }
    if (options.hideOnClose()) {
      event.preventDefault();
      window.hide();
    }
  });
  void window.loadURL(APP_URL);
  return window;
}
