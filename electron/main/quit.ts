import type { App, AutoUpdater } from 'electron';

/** A store that does not close in this time is left to SQLite's journal; the app must still exit. */
export const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The end of the app, in Electron's order (shell/browser/browser.cc): `before-quit`, every window
 * closes, `will-quit`, `quit`.
 *
 * `quitting` tells the main window to really close instead of hiding in the tray. `before-quit`
 * sets it — but autoUpdater.quitAndInstall() closes the windows *before* `before-quit` (Electron
 * docs, app event `before-quit`), so `before-quit-for-update` sets it too; otherwise the window
 * would cancel its close, which cancels the update's restart.
 *
 * `will-quit` is held until `close` (sync stopped, store closed) has finished, then the quit runs
 * again and this time goes through to `quit`, where electron-updater installs a downloaded update.
 */
export class QuitSequence {
  quitting = false;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly app: Pick<App, 'on' | 'quit'>,
    autoUpdater: Pick<AutoUpdater, 'on'>,
    private readonly close: () => Promise<void>,
    private readonly onCloseError: (error: unknown) => void,
    private readonly timeoutMs = CLOSE_TIMEOUT_MS,
  ) {
    app.on('before-quit', () => {
      this.quitting = true;
    });
    autoUpdater.on('before-quit-for-update', () => {
      this.quitting = true;
    });
    app.on('will-quit', (event) => {
      if (this.closed) return;
      event.preventDefault();
      this.closing ??= this.closeWithin().finally(() => {
        this.closed = true;
        this.app.quit();
      });
    });
  }

  private async closeWithin(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`closing took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([this.close(), timeout]);
    } catch (error) {
      this.onCloseError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
