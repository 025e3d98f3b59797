/**
 * A small stand-in for the `electron` module: just enough of app, BrowserWindow, ipcMain, protocol,
 * session, shell and the desktop pieces (screen, Tray, Menu, nativeImage, Notification,
 * globalShortcut, powerSaveBlocker) for the main process to be wired and observed in plain Node.
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: unknown[]) => unknown;

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

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all;
  }
  webContents = new FakeWebContents();
  loadedUrl: string | undefined;
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
  getNormalBounds() {
    return { ...this.bounds };
  }
  /** Emits `close` like Electron does and reports whether a listener kept the window open. */
  attemptClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export interface FakeMenuItem {
  id?: string;
  label?: string;
  type?: string;
  checked?: boolean;
  click?: () => void;
}

export class FakeTray extends EventEmitter {
  static all: FakeTray[] = [];
  image: unknown;
  tooltip = '';
  menu: FakeMenuItem[] = [];
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.all.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenuItem[]): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeNotification extends EventEmitter {
  static all: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  closed = false;
  constructor(public options: Record<string, unknown>) {
    super();
    FakeNotification.all.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

export class FakeIpcMain {
  handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    this.handlers.set(channel, handler);
  }
  invoke(channel: string, event: unknown, ...args: unknown[]): unknown {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
}

export class FakeSession {
  permissionRequest: Handler | undefined;
  permissionCheck: Handler | undefined;
  devicePermission: Handler | undefined;
  setPermissionRequestHandler(handler: Handler): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: Handler): void {
    this.permissionCheck = handler;
  }
  setDevicePermissionHandler(handler: Handler): void {
    this.devicePermission = handler;
  }
}

export interface FakeDisplay {
  id: number;
  workArea: { x: number; y: number; width: number; height: number };
}

export function createFakeElectron(userData: string, options: { packaged?: boolean; displays?: FakeDisplay[] } = {}) {
  const appEvents = new EventEmitter();
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const calls: string[] = [];
  const fake = {
    calls,
    ready: () => resolveReady(),
    app: Object.assign(appEvents, {
      enableSandbox: () => calls.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      whenReady: () => ready,
      getPath: (name: string) => (name === 'userData' ? userData : `/tmp/${name}`),
      getAppPath: () => '/app',
      getVersion: () => '9.9.9',
      quit: () => calls.push('quit'),
      isPackaged: options.packaged ?? false,
      loginItem: {},
      setLoginItemSettings: (settings: Record<string, unknown>) => (fake.app.loginItem = settings),
      protocolClients: [] as string[],
      isDefaultProtocolClient: (scheme: string) => fake.app.protocolClients.includes(scheme),
      setAsDefaultProtocolClient: (scheme: string) => (fake.app.protocolClients.push(scheme), true),
    }),
    BrowserWindow: FakeBrowserWindow,
    ipcMain: new FakeIpcMain(),
    protocol: {
      schemes: [] as unknown[],
      handlers: new Map<string, Handler>(),
      registerSchemesAsPrivileged(schemes: unknown[]) {
        this.schemes.push(...schemes);
      },
      handle(scheme: string, handler: Handler) {
        this.handlers.set(scheme, handler);
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
  };
  return fake;
}
