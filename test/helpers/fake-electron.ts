/**
 * A small stand-in for the `electron` module: just enough of app, BrowserWindow, ipcMain, protocol,
 * session and shell for the main process to be wired and observed in plain Node.
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
  show(): void {}
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
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

export function createFakeElectron(userData: string) {
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
    shell: { opened: [] as string[], openExternal: (url: string) => (fake.shell.opened.push(url), Promise.resolve()) },
  };
  return fake;
}
