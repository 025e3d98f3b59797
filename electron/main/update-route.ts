import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether this installation updates itself from the feed, or gets its updates some other way.
 * Exactly one mechanism may own an installation:
 * - NSIS (Windows), the macOS ZIP and the AppImage update themselves (electron-updater);
 * - the MSI carries no `app-update.yml` (electron-builder.config.ts `msiProjectCreated`): IT's
 *   software distribution owns it;
 * - the deb (electron-builder writes `resources/package-type`) is updated through the
 *   distribution's package channel: electron-updater's DebUpdater would run `dpkg -i` through
 *   pkexec/sudo and ask the user for a root password;
 * - `VERMITTLUNG_DISABLE_UPDATES=1` switches it off on any machine.
 */
export type UpdateRoute = { self: true } | { self: false; reason: string };

export interface UpdateRouteInput {
  platform: NodeJS.Platform;
  packaged: boolean;
  /** Electron's process.resourcesPath: where electron-builder put app-update.yml and package-type. */
  resourcesPath: string;
  env: NodeJS.ProcessEnv;
  exists?: (file: string) => boolean;
  read?: (file: string) => string;
}

export function updateRoute(input: UpdateRouteInput): UpdateRoute {
  const exists = input.exists ?? existsSync;
  const read = input.read ?? ((file: string) => readFileSync(file, 'utf8'));
  if (!input.packaged) {
    return input.env.VERMITTLUNG_DEV_UPDATES === '1' ? { self: true } : { self: false, reason: 'unpackaged build' };
  }
  if (input.env.VERMITTLUNG_DISABLE_UPDATES === '1') return { self: false, reason: 'disabled by VERMITTLUNG_DISABLE_UPDATES' };
  if (!exists(join(input.resourcesPath, 'app-update.yml'))) {
    return { self: false, reason: 'no app-update.yml: this installation is updated by its software distribution' };
  }
  if (input.platform === 'linux') {
    const typeFile = join(input.resourcesPath, 'package-type');
    if (exists(typeFile)) {
      return { self: false, reason: `${safeRead(read, typeFile)} package: updates come from the package manager` };
    }
    if (!input.env.APPIMAGE) return { self: false, reason: 'not an AppImage: updates come from the package manager' };
  }
  return { self: true };
}

function safeRead(read: (file: string) => string, file: string): string {
  try {
    return read(file).trim().slice(0, 20) || 'system';
  } catch {
    return 'system';
  }
}
