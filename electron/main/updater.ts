import { app } from 'electron';
import type * as ElectronUpdater from 'electron-updater';
import type { UpdateChannel, UpdateStatus } from '../../protocol/index.js';
import type { Logger } from '../core/log/logger.js';
import { loadElectronUpdater } from './runtime-modules.js';
import { UpdatePolicy } from './update-policy.js';
import { updateRoute } from './update-route.js';

/**
 * Thin wiring of electron-updater under the update policy, for installations that update
 * themselves (update-route.ts): a packaged NSIS, macOS or AppImage build, where electron-builder
 * wrote app-update.yml with the feed and the Windows publisher name; or, for tests against a local
 * feed, an unpackaged build with VERMITTLUNG_DEV_UPDATES=1 and dev-app-update.yml.
 */
export function startUpdater(options: {
  channel: UpdateChannel;
  log: Logger;
  onStatus: (status: UpdateStatus) => void;
}): UpdatePolicy | undefined {
  const route = updateRoute({
    platform: process.platform,
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath ?? '',
    env: process.env,
  });
  if (!route.self) {
    options.log.info('updater off', { reason: route.reason });
    return undefined;
  }
  try {
    const autoUpdater = autoUpdaterOf(loadElectronUpdater());
    autoUpdater.forceDevUpdateConfig = !app.isPackaged;
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

/** `autoUpdater` is a getter on electron-updater's exports; an ES module namespace has it on `default`. */
export function autoUpdaterOf(module: Partial<typeof ElectronUpdater> & { default?: Partial<typeof ElectronUpdater> }) {
  const updater = module.autoUpdater ?? module.default?.autoUpdater;
  if (!updater) throw new Error('electron-updater exports no autoUpdater');
  return updater;
}
