import type * as ElectronUpdater from 'electron-updater';
import { runtimeRequire } from '../core/runtime-require.js';

/** electron-updater, loaded when an update route exists (it requires `electron` and picks its class by platform). */
export function loadElectronUpdater(): Partial<typeof ElectronUpdater> {
  return runtimeRequire('electron-updater') as Partial<typeof ElectronUpdater>;
}
