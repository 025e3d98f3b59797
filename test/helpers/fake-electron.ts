/**
 * A stand-in for the `electron` module: enough of app, BrowserWindow, ipcMain, protocol, session,
 * shell, autoUpdater, systemPreferences and the desktop pieces (screen, Tray, Menu, nativeImage,
 * Notification, globalShortcut, powerSaveBlocker, powerMonitor) for the main process to be wired
 * and observed in plain Node.
 *
 * Where the real thing has an order of events or a limit the shell depends on, the fake follows it
 * and names its source: "browser.cc" is electron/electron shell/browser/browser.cc,
 * "auto_updater.cc" is shell/browser/api/electron_api_auto_updater.cc, "docs" are Electron 45's
 * API docs (the same text is in node_modules/electron/electron.d.ts).
 */
import { EventEmitter } from 'node:events';
import {
  FakeIpcMain,
  FakeNotification,
  FakeSession,
  FakeTray,
  type FakeDisplay,
  type FakeMenuItem,
} from './fake-electron-desktop.js';

export { FakeIpcMain, FakeNotification, FakeSession, FakeTray, type FakeDisplay, type FakeMenuItem };

type Handler = (...args: unknown[]) => unknown;
export type FakePlatform = 'linux' | 'win32' | 'darwin';

export class FakeFrame {
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  mainFrame = new FakeFrame('app://vermittlung/index.html');
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  sent: { channel: string; payload: unknown }[] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  /** Emits like Electron does and reports whether a listener called preventDefault(). */
  attempt(eventName: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(eventName, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

/** Electron's WindowList: who hears that a close was cancelled or that the last window is gone. */
interface WindowListObserver {
  onAllClosed(): void;
  onCloseCancelled(): void;
}
const windowObservers = new Set<WindowListObserver>();

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all.filter((window) => !window.destroyed);
  }
  /** docs: null when no window of the app has the focus (a test never gives one the OS focus). */
  static getFocusedWindow(): FakeBrowserWindow | null {
    return null;
  }
  webContents = new FakeWebContents();
  loadedUrl: string | undefined;
  destroyed = false;
  constructor(public options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  bounds = { x: 0, y: 0, width: 0, height: 0 };
  maximized = false;
  visible = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  /** Emits `close` like Electron does and reports whether a listener kept the window open. */
  attemptClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    return prevented;
  }
  /**
   * BrowserWindow.close(): `close` may be cancelled (the WindowList observers hear it,
   * browser.cc OnWindowCloseCancelled); otherwise the window is gone, emits `closed`, and when it
   * was the last one the observers hear OnWindowAllClosed.
   */
  close(): void {
    if (this.destroyed) return;
    if (this.attemptClose()) {
      for (const observer of [...windowObservers]) observer.onCloseCancelled();
      return;
    }
    this.destroy();
  }
  /** Gone without a `close` event (app.exit destroys windows this way, browser.cc ExitWithCode). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
    if (FakeBrowserWindow.getAllWindows().length === 0) {
      for (const observer of [...windowObservers]) observer.onAllClosed();
    }
  }
}

function closeAllWindows(): void {
  for (const window of FakeBrowserWindow.getAllWindows()) window.close();
}

export interface FakeElectronOptions {
  packaged?: boolean;
  displays?: FakeDisplay[];
  /** Which OS the fake behaves like; the code under test still reads process.platform itself. */
  platform?: FakePlatform;
  /** This launch was the OS starting the app at login. */
  openedAtLogin?: boolean;
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

export function createFakeElectron(userData: string, options: FakeElectronOptions = {}) {
  const platform = options.platform ?? (process.platform as FakePlatform);
  const appEvents = new EventEmitter();
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const calls: string[] = [];
  windowObservers.clear();

  /** Emits an app event whose listeners may call preventDefault(); returns whether one did. */
  const prevented = (name: string): boolean => {
    let stop = false;
    appEvents.emit(name, { preventDefault: () => (stop = true) });
    return stop;
  };

  // browser.cc: is_quitting_, is_exiting_, is_shutdown_.
  const lifecycle = { quitting: false, exiting: false, exitCode: undefined as number | undefined };
  // browser.cc Shutdown(): observers hear OnQuit, i.e. app emits `quit` with the exit code.
  const shutdown = (code: number) => {
    if (lifecycle.exitCode !== undefined) return;
    lifecycle.exitCode = code;
    lifecycle.quitting = true;
    appEvents.emit('quit', { preventDefault: () => undefined }, code);
  };
  // browser.cc NotifyAndShutdown(): `will-quit` may be prevented, which ends the quit.
  const notifyAndShutdown = () => {
    if (lifecycle.exitCode !== undefined) return;
    if (prevented('will-quit')) {
      lifecycle.quitting = false;
      return;
    }
    shutdown(0);
  };
  windowObservers.add({
    // browser.cc OnWindowAllClosed(): exiting → Shutdown, quitting → NotifyAndShutdown, else the
    // app hears `window-all-closed`.
    onAllClosed: () => {
      if (lifecycle.exiting) shutdown(0);
      else if (lifecycle.quitting) notifyAndShutdown();
      else appEvents.emit('window-all-closed');
    },
    // browser.cc OnWindowCloseCancelled(): a window that refuses to close cancels the quit.
    onCloseCancelled: () => {
      lifecycle.quitting = false;
    },
  });

  const loginItem = { openAtLogin: false, args: [] as string[], path: undefined as string | undefined };

  const nativeUpdater = Object.assign(new EventEmitter(), {
    /** Squirrel.Mac has fetched the update from electron-updater's local proxy. */
    squirrelHasUpdate: false,
    /** What ended this run of the app: Squirrel installing at quit (or at quitAndInstall's restart). */
    installedAtQuit: false,
    relaunchRequested: false,
    feedUrl: undefined as string | undefined,
    setFeedURL(feed: { url: string }) {
      nativeUpdater.feedUrl = feed.url;
    },
    /** Squirrel fetches the update; electron-updater's MacUpdater waits for this `update-downloaded`. */
    checkForUpdates() {
      setImmediate(() => {
        nativeUpdater.squirrelHasUpdate = true;
        nativeUpdater.emit('update-downloaded', {}, '', '', new Date(), '');
      });
    },
    /**
     * auto_updater.cc QuitAndInstall(): emit `before-quit-for-update`, then close every window and
     * only once all are closed let Squirrel restart the app (which quits it like app.quit()). A
     * window that cancels its `close` leaves the app running — and the update for the next quit.
     * Docs (app `before-quit`): "If application quit was initiated by autoUpdater.quitAndInstall(),
     * then before-quit is emitted after emitting close event on all windows and closing them."
     */
    quitAndInstall() {
      nativeUpdater.emit('before-quit-for-update');
      const restart = () => {
        nativeUpdater.relaunchRequested = true;
        fake.app.quit();
      };
      if (FakeBrowserWindow.getAllWindows().length === 0) return restart();
      const observer: WindowListObserver = {
        onAllClosed: () => {
          windowObservers.delete(observer);
          restart();
        },
        onCloseCancelled: () => undefined,
      };
      windowObservers.add(observer);
      closeAllWindows();
    },
  });
  // Squirrel.Mac applies a fetched update when the app terminates (docs, autoUpdater.quitAndInstall:
  // "a successfully downloaded update will always be applied the next time the application starts").
  appEvents.on('quit', () => {
    if (platform === 'darwin' && nativeUpdater.squirrelHasUpdate) nativeUpdater.installedAtQuit = true;
  });

  const mediaAccess = { microphone: 'not-determined' as 'not-determined' | 'granted' | 'denied' };
  const systemPreferences = {
    /** What the user answers in the macOS consent dialog. */
    userAnswer: true,
    asked: [] as string[],
    // docs: getMediaAccessStatus is macOS and Windows; askForMediaAccess is macOS only.
    ...(platform === 'linux'
      ? {}
      : {
          getMediaAccessStatus: (type: 'microphone' | 'camera') => (type === 'microphone' ? mediaAccess.microphone : 'granted'),
        }),
    ...(platform === 'darwin'
      ? {
          /** docs: resolves with the existing status, without a dialog, once the user has answered. */
          askForMediaAccess(type: 'microphone' | 'camera'): Promise<boolean> {
            if (type !== 'microphone') return Promise.resolve(true);
            if (mediaAccess.microphone === 'not-determined') {
              systemPreferences.asked.push(type);
              mediaAccess.microphone = systemPreferences.userAnswer ? 'granted' : 'denied';
            }
            return Promise.resolve(mediaAccess.microphone === 'granted');
          },
        }
      : {}),
  } as {
    userAnswer: boolean;
    asked: string[];
    getMediaAccessStatus?: (type: 'microphone' | 'camera') => string;
    askForMediaAccess?: (type: 'microphone' | 'camera') => Promise<boolean>;
  };

  const fake = {
    platform,
    calls,
    lifecycle,
    mediaAccess,
    ready: () => resolveReady(),
    app: Object.assign(appEvents, {
      enableSandbox: () => calls.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      whenReady: () => ready,
      getPath: (name: string) => (name === 'userData' ? userData : `/tmp/${name}`),
      getAppPath: () => '/app',
      getVersion: () => '9.9.9',
      getName: () => 'Vermittlung',
      setAppUserModelId: (id: string) => calls.push(`setAppUserModelId:${id}`),
      /** browser.cc Quit(): `before-quit` (preventable), then close every window; see the observers above. */
      quit: () => {
        calls.push('quit');
        if (lifecycle.quitting || lifecycle.exitCode !== undefined) return;
        lifecycle.quitting = !prevented('before-quit');
        if (!lifecycle.quitting) return;
        if (FakeBrowserWindow.getAllWindows().length === 0) notifyAndShutdown();
        else closeAllWindows();
      },
      /** browser.cc ExitWithCode(): windows are destroyed unasked, no before-quit/will-quit, then `quit`. */
      exit: (code = 0) => {
        calls.push(`exit:${code}`);
        lifecycle.quitting = true;
        lifecycle.exiting = true;
        const windows = FakeBrowserWindow.getAllWindows();
        if (windows.length === 0) shutdown(code);
        else for (const window of windows) window.destroy();
      },
      relaunch: () => calls.push('relaunch'),
      isPackaged: options.packaged ?? false,
      loginItem,
      /**
       * docs: setLoginItemSettings is "macOS Windows"; `path` and `args` are Windows only (the Run
       * key holds `"path" args`). On Linux the call does nothing.
       */
      setLoginItemSettings: (settings: { openAtLogin?: boolean; path?: string; args?: string[] }) => {
        if (platform === 'linux') return;
        loginItem.openAtLogin = settings.openAtLogin ?? false;
        if (platform === 'win32') {
          loginItem.args = settings.args ?? [];
          loginItem.path = settings.path;
        }
      },
      /** docs: `wasOpenedAtLogin` is macOS only; Windows reports the Run key instead. */
      getLoginItemSettings: () => ({
        openAtLogin: loginItem.openAtLogin,
        ...(platform === 'darwin' ? { wasOpenedAtLogin: options.openedAtLogin ?? false } : {}),
        ...(platform === 'win32' ? { executableWillLaunchAtLogin: loginItem.openAtLogin } : {}),
      }),
      /** The command line the OS starts the app with at login (Run key on Windows, launchd on macOS). */
      loginLaunchArgv: (execPath: string) => [execPath, ...(platform === 'win32' ? loginItem.args : [])],
      /**
       * docs (app.setAsDefaultProtocolClient): "The API uses the Windows Registry and
       * LSSetDefaultHandlerForURLScheme internally"; on Linux xdg-settings. Every call takes the
       * scheme over from whatever the user chose, so the fake records each one.
       */
      protocolClients: [] as string[],
      isDefaultProtocolClient: (scheme: string) => fake.app.protocolClients.includes(scheme),
      setAsDefaultProtocolClient: (scheme: string) => (fake.app.protocolClients.push(scheme), true),
    }),
    autoUpdater: nativeUpdater,
    systemPreferences,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: new FakeIpcMain(),
    protocol: {
      schemes: [] as { scheme: string; privileges?: Record<string, boolean> }[],
      handlers: new Map<string, Handler>(),
      registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]) {
        this.schemes.push(...schemes);
      },
      handle(scheme: string, handler: Handler) {
        this.handlers.set(scheme, handler);
      },
      /**
       * docs (protocol.md): "The <video> and <audio> HTML elements expect protocols to buffer their
       * responses by default. The `stream` flag configures those elements to correctly expect
       * streaming responses." An <audio> element (the ringtone) plays from a scheme with `stream`.
       */
      audioPlays(url: string): boolean {
        const scheme = new URL(url).protocol.slice(0, -1);
        const entry = this.schemes.find((s) => s.scheme === scheme);
        return this.handlers.has(scheme) && entry?.privileges?.stream === true;
      },
    },
    session: { defaultSession: new FakeSession() },
    screen: {
      displays: options.displays ?? [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
      getAllDisplays: () => fake.screen.displays,
      getPrimaryDisplay: () => fake.screen.displays[0]!,
    },
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: FakeMenuItem[]) => template },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    Notification: FakeNotification,
    globalShortcut: {
      registered: new Map<string, () => void>(),
      /** Accelerators another application holds: register() fails for them. */
      taken: new Set<string>(),
      register(accelerator: string, callback: () => void): boolean {
        if (this.taken.has(accelerator)) return false;
        this.registered.set(accelerator, callback);
        return true;
      },
      unregister(accelerator: string): void {
        this.registered.delete(accelerator);
      },
    },
    powerSaveBlocker: {
      active: new Map<number, string>(),
      nextId: 1,
      start(type: string): number {
        const id = this.nextId++;
        this.active.set(id, type);
        return id;
      },
      stop(id: number): void {
        this.active.delete(id);
      },
    },
    powerMonitor: Object.assign(new EventEmitter(), {
      /** What getSystemIdleTime() answers; a test sets it. */
      idleSeconds: 0,
      getSystemIdleTime: () => fake.powerMonitor.idleSeconds,
    }),
    shell: { opened: [] as string[], openExternal: (url: string) => (fake.shell.opened.push(url), Promise.resolve()) },
    /**
     * docs: showOpenDialog([window,] options) resolves { canceled, filePaths }; showSaveDialog
     * { canceled, filePath }. The user's answers come from `answers` (none left: cancelled).
     */
    dialog: {
      answers: [] as string[],
      opened: [] as Record<string, unknown>[],
      showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
        fake.dialog.opened.push(args.at(-1) as Record<string, unknown>);
        const answer = fake.dialog.answers.shift();
        return Promise.resolve(
          answer === undefined ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [answer] },
        );
      },
      showSaveDialog(...args: unknown[]): Promise<{ canceled: boolean; filePath: string }> {
        fake.dialog.opened.push(args.at(-1) as Record<string, unknown>);
        const answer = fake.dialog.answers.shift();
        return Promise.resolve(answer === undefined ? { canceled: true, filePath: '' } : { canceled: false, filePath: answer });
      },
    },
  };
  return fake;
}
