/**
 * When the app checks for, downloads and installs updates. Pure: it drives anything shaped like
 * electron-updater's AppUpdater (`UpdaterLike`), so the rules are tested in plain Node.
 *
 * The rules: check shortly after start and every few hours; download in the background; install on
 * quit or when the user agrees — never while a call is active (the user's "install now" waits for
 * the end of the call); a feed that cannot be reached or an update whose signature or checksum is
 * wrong is logged and reported, never installed, and never crashes the app.
 *
 * The call rule lives in `install()`, not in `autoInstallOnAppQuit`: electron-updater reads that
 * flag when a download finishes (BaseUpdater.addQuitHandler, MacUpdater.doDownloadUpdate) and,
 * if it is false then, never installs that download on quit. Quitting ends a call anyway.
 */
import { HostError, type UpdateChannel, type UpdateErrorCode, type UpdateStatus } from '../../protocol/index.js';
import type { Logger } from '../core/log/logger.js';

/** The part of electron-updater's AppUpdater the policy uses. */
export interface UpdaterLike {
  channel: string | null;
  allowPrerelease: boolean;
  allowDowngrade: boolean;
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  // electron-updater types each event's listener; `any` lets both it and a plain EventEmitter fit.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  setInterval(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface UpdatePolicyOptions {
  currentVersion: string;
  channel: UpdateChannel;
  log: Logger;
  /** Every status change, e.g. to the renderer as `desktop.update.status`. */
  onStatus: (status: UpdateStatus) => void;
  intervalMs?: number;
  initialDelayMs?: number;
  timers?: Timers;
  now?: () => Date;
}

export const DEFAULT_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;
const DEFAULT_INITIAL_DELAY_MS = 15_000;

/** electron-builder writes `latest.yml` for the default channel and `beta.yml` for prereleases. */
export function feedChannel(channel: UpdateChannel): string {
  return channel === 'stable' ? 'latest' : 'beta';
}

export function classifyUpdateError(error: unknown): UpdateErrorCode {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed by the application owner/i.test(message)) {
    return 'signature_invalid';
  }
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(message)) return 'checksum_mismatch';
  const network = ['ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
  if (
    network.includes(code) ||
    /net::ERR_|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|socket hang up|certificate|Cannot find channel|HttpError|^\d{3} /i.test(
      message,
    ) ||
    (typeof error === 'object' && error !== null && 'statusCode' in error)
  ) {
    return 'feed_unreachable';
  }
  return 'unknown';
}

export class UpdatePolicy {
  private state: UpdateStatus;
  private callActive = false;
  private downloadedVersion: string | undefined;
  /** A download failed verification: nothing is installed on quit until a verified one arrives. */
  private distrusted = false;
  private checking: Promise<UpdateStatus> | undefined;
  private readonly handles: unknown[] = [];
  private readonly reported = new WeakSet<object>();
  private readonly timers: Timers;

  constructor(
    private readonly updater: UpdaterLike,
    private readonly options: UpdatePolicyOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    this.state = { state: 'idle', channel: options.channel, currentVersion: options.currentVersion };
    this.configure(options.channel);
    this.listen();
  }

  /** First check after a short delay (startup has better things to do), then every few hours. */
  start(): void {
    const tick = () => void this.check();
    this.handles.push(this.timers.setTimeout(tick, this.options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS));
    this.handles.push(this.timers.setInterval(tick, this.options.intervalMs ?? DEFAULT_CHECK_INTERVAL_MS));
  }

  stop(): void {
    for (const handle of this.handles.splice(0)) this.timers.clear(handle);
  }

  status(): UpdateStatus {
    return { ...this.state };
  }

  setChannel(channel: UpdateChannel): void {
    if (channel === this.state.channel) return;
    this.configure(channel);
    this.downloadedVersion = undefined;
    this.set({ state: 'idle', channel, currentVersion: this.options.currentVersion });
    void this.check();
  }

  setCallActive(active: boolean): void {
    this.callActive = active;
    if (!active && this.state.state === 'install-deferred') {
      this.options.log.info('call ended, installing the deferred update', { version: this.downloadedVersion ?? null });
      this.install();
    }
  }

  check(): Promise<UpdateStatus> {
    if (this.checking) return this.checking;
    if (this.state.state === 'installing' || this.state.state === 'install-deferred') return Promise.resolve(this.status());
    this.checking = this.updater
      .checkForUpdates()
      .then(
        () => undefined,
        (error: unknown) => this.fail(error),
      )
      .then(() => {
        this.checking = undefined;
        return this.status();
      });
    return this.checking;
  }

  /** The user agreed to install now. */
  install(): UpdateStatus {
    if (this.downloadedVersion === undefined) {
      throw new HostError('conflict', 'no verified update has been downloaded');
    }
    if (this.callActive) {
      this.set({ ...this.state, state: 'install-deferred' });
      return this.status();
    }
    this.set({ ...this.state, state: 'installing' });
    try {
      // Silent: the NSIS installer runs with /S; force-run: the app comes back after the update.
      this.updater.quitAndInstall(true, true);
    } catch (error) {
      this.fail(error);
    }
    return this.status();
  }

  private configure(channel: UpdateChannel): void {
    this.updater.channel = feedChannel(channel);
    this.updater.allowPrerelease = channel === 'beta';
    // Setting `channel` turns downgrades on in electron-updater; an older build may carry old holes.
    this.updater.allowDowngrade = false;
    this.updater.autoDownload = true;
    this.updater.autoInstallOnAppQuit = !this.distrusted;
  }

  private listen(): void {
    const on = (event: string, listener: (arg: Record<string, unknown> | undefined) => void) => this.updater.on(event, listener);
    on('checking-for-update', () => {
      if (this.downloadedVersion === undefined) this.set({ ...this.base(), state: 'checking' });
    });
    on('update-not-available', () => {
      if (this.downloadedVersion === undefined) this.set({ ...this.base(), state: 'up-to-date', checkedAt: this.now() });
    });
    on('update-available', (info) => {
      this.set({ ...this.base(), state: 'downloading', version: versionOf(info), percent: 0, checkedAt: this.now() });
    });
    on('download-progress', (progress) => {
      const percent = typeof progress?.percent === 'number' ? Math.max(0, Math.min(100, progress.percent)) : undefined;
      if (this.state.state === 'downloading') this.set({ ...this.state, percent });
    });
    on('update-downloaded', (info) => {
      this.downloadedVersion = versionOf(info) ?? this.state.version ?? 'unknown';
      // Runs before electron-updater arms its install-on-quit for this download.
      this.distrusted = false;
      this.updater.autoInstallOnAppQuit = true;
      this.options.log.info('update downloaded and verified', { version: this.downloadedVersion });
      this.set({ ...this.base(), state: 'downloaded', version: this.downloadedVersion, checkedAt: this.now() });
    });
    on('error', (error) => this.fail(error));
  }

  private fail(error: unknown): void {
    if (typeof error === 'object' && error !== null) {
      // electron-updater both emits `error` and rejects the check's promise with the same object.
      if (this.reported.has(error)) return;
      this.reported.add(error);
    }
    const code = classifyUpdateError(error);
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (code === 'signature_invalid' || code === 'checksum_mismatch') {
      // Whatever was downloaded is not trusted any more, not even on quit.
      this.downloadedVersion = undefined;
      this.distrusted = true;
      this.updater.autoInstallOnAppQuit = false;
    }
    this.options.log.warn('update failed', { code, reason: message });
    this.set({ ...this.base(), state: 'error', error: { code, message }, checkedAt: this.now() });
  }

  private base(): UpdateStatus {
    return { state: this.state.state, channel: this.state.channel, currentVersion: this.options.currentVersion };
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  private set(next: UpdateStatus): void {
    this.state = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as UpdateStatus;
    try {
      this.options.onStatus(this.status());
    } catch (error) {
      this.options.log.warn('update status listener failed', { reason: String(error) });
    }
  }
}

function versionOf(info: Record<string, unknown> | undefined): string | undefined {
  return typeof info?.version === 'string' ? info.version.slice(0, 100) : undefined;
}
