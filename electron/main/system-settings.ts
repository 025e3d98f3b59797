import { app, globalShortcut } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../protocol/index.js';
import type { Logger } from '../core/log/logger.js';

/**
 * The argument a login-item start carries on Windows (the Run key's command line) and Linux (the
 * autostart entry): the app starts in the tray, without a window. macOS starts login items without
 * arguments; there `wasOpenedAtLogin` tells.
 */
export const HIDDEN_ARG = '--hidden';

/** Whether the OS started this instance at login (then it stays in the tray). */
export function launchedAtLogin(
  platform: NodeJS.Platform,
  argv: readonly string[],
  loginItem: () => { wasOpenedAtLogin?: boolean },
): boolean {
  if (platform === 'darwin') return loginItem().wasOpenedAtLogin === true;
  return argv.includes(HIDDEN_ARG);
}

/**
 * Start at login. Windows and macOS have a login-item API; on Linux Electron has none, so an XDG
 * autostart entry is written (for the AppImage the path of the image, which survives updates).
 */
export function applyStartAtLogin(enabled: boolean, log: Logger, platform = process.platform): void {
  try {
    if (platform === 'linux') {
      const file = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'vermittlung.desktop');
      if (!enabled) return rmSync(file, { force: true });
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, linuxAutostartEntry(process.env.APPIMAGE ?? process.execPath));
      return;
    }
    // `args` exist only on Windows; macOS ignores them.
    app.setLoginItemSettings(platform === 'win32' ? { openAtLogin: enabled, args: [HIDDEN_ARG] } : { openAtLogin: enabled });
  } catch (error) {
    log.warn('start at login could not be changed', { enabled, reason: String(error) });
  }
}

export function linuxAutostartEntry(executable: string): string {
  // Quoted per the Desktop Entry spec, so a path with spaces stays one argument.
  const quoted = `"${executable.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Vermittlung',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** The global answer/hang-up shortcut, re-registered whenever its settings change. */
export class GlobalShortcut {
  private registered: string | undefined;

  constructor(
    private readonly onPress: () => void,
    private readonly log: Logger,
  ) {}

  apply(settings: Pick<Settings, 'globalShortcutEnabled' | 'globalShortcut'>): boolean {
    const wanted = settings.globalShortcutEnabled ? settings.globalShortcut : undefined;
    if (wanted === this.registered) return true;
    this.clear();
    if (!wanted) return true;
    let ok = false;
    try {
      ok = globalShortcut.register(wanted, this.onPress);
    } catch (error) {
      this.log.warn('global shortcut refused', { accelerator: wanted, reason: String(error) });
    }
    if (!ok) {
      this.log.warn('global shortcut is taken by another application', { accelerator: wanted });
      return false;
    }
    this.registered = wanted;
    return true;
  }

  clear(): void {
    if (this.registered) globalShortcut.unregister(this.registered);
    this.registered = undefined;
  }
}
