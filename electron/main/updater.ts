import { app } from 'electron';
import type * as ElectronUpdater from 'electron-updater';
import type { UpdateChannel, UpdateStatus } from '../../protocol/index.js';
import type { Logger } from '../core/log/logger.js';
import { UpdatePolicy } from './update-policy.js';

/**
 * Thin wiring of electron-updater under the update policy. Loaded only in a packaged app (where
 * electron-builder wrote app-update.yml with the feed and the Windows publisher name) or, for
 * tests against a local feed, with VERMITTLUNG_DEV_UPDATES=1 and dev-app-update.yml.
 */
export async function startUpdater(options: {
  channel: UpdateChannel;
  log: Logger;
  onStatus: (status: UpdateStatus) => void;
}): Promise<UpdatePolicy | undefined> {
  const dev = !app.isPackaged;
  if (dev && process.env.VERMITTLUNG_DEV_UPDATES !== '1') return undefined;
  // Machines whose software IT distributes itself (MSI through Intune/GPO) switch the updater off
  // with a machine-wide environment variable, so two channels never fight over one installation.
  if (process.env.VERMITTLUNG_DISABLE_UPDATES === '1') {
    options.log.info('updater disabled by VERMITTLUNG_DISABLE_UPDATES');
    return undefined;
  }
  try {
    const autoUpdater = autoUpdaterOf(await import('electron-updater'));
    autoUpdater.forceDevUpdateConfig = dev;
    // Only the full, signed installer: a web installer would fetch unverified parts later.
    autoUpdater.disableWebInstaller = true;
    autoUpdater.logger = {
      info: (message?: unknown) => options.log.info(String(message)),
      warn: (message?: unknown) => options.log.warn(String(message)),
      error: (message?: unknown) => options.log.error(String(message)),
      debug: (message: string) => options.log.log('debug', message),
    };
    const policy = new UpdatePolicy(autoUpdater, {
      currentVersion: app.getVersion(),
      channel: options.channel,
      log: options.log,
      onStatus: options.onStatus,
    });
    policy.start();
    return policy;
  } catch (error) {
    options.log.error('updater could not start', { reason: String(error) });
    return undefined;
  }
}

/**
 * electron-updater is CommonJS and defines `autoUpdater` as a getter, which Node's import() does not
 * list as a named export: in the built main process it is only on `default`.
 */
export function autoUpdaterOf(module: Partial<typeof ElectronUpdater> & { default?: Partial<typeof ElectronUpdater> }) {
  const updater = module.autoUpdater ?? module.default?.autoUpdater;
  if (!updater) throw new Error('electron-updater exports no autoUpdater');
  return updater;
}
