import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';

/** The renderer's origin. Every IPC sender and permission request is checked against it. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'vermittlung';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Vermittlung',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A ringing phone must ring even when the window is in the background.
      backgroundThrottling: false,
    },
  };
}

export function isAppOrigin(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

const EXTERNAL_PROTOCOLS = new Set(['https:', 'mailto:', 'tel:']);

export function isAllowedExternalUrl(url: string): boolean {
  try {
    return EXTERNAL_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Locks a window's contents: no navigation away from the app, no new windows (links to allowed
 * external schemes open in the OS instead), no webviews.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppOrigin(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppOrigin(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

const GRANTED_PERMISSIONS = new Set(['media', 'speaker-selection', 'notifications', 'clipboard-sanitized-write']);

/**
 * Grants the microphone (audio only), audio output selection and notifications to the app origin;
 * nothing else to anyone. `microphoneConsent` is the operating system's own question (macOS asks
 * the user once, `systemPreferences.askForMediaAccess`); without its yes the microphone stays off.
 */
export function installPermissionHandlers(session: Session, microphoneConsent?: () => Promise<boolean>): void {
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const origin = details.requestingUrl;
    if (!isAppOrigin(origin) || !GRANTED_PERMISSIONS.has(permission)) return callback(false);
    if (permission === 'media') {
      const types = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
      if (types.length === 0 || !types.every((t) => t === 'audio')) return callback(false);
      if (!microphoneConsent) return callback(true);
      void microphoneConsent().then(callback, () => callback(false));
      return;
    }
    callback(true);
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) => {
    return isAppOrigin(requestingOrigin) && GRANTED_PERMISSIONS.has(permission);
  });
  session.setDevicePermissionHandler(() => false);
}
