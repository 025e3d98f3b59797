import type { desktopMethods } from '../../../protocol/index.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { DesktopPort } from './desktop-port.js';

export interface DesktopHandlerDeps {
  port: DesktopPort;
  settings: SettingsStore;
}

export function desktopHandlers(deps: DesktopHandlerDeps): HandlersFor<typeof desktopMethods> {
  const { port } = deps;
  return {
    'desktop.callState': ({ callActive }) => {
      port.setCallActive(callActive);
    },
    'desktop.presence': ({ status }) => {
      port.setPresence(status);
    },
    'desktop.firmSwitch': ({ state }) => {
      port.setFirmSwitch(state);
    },
    'desktop.idle.watch': ({ thresholdSeconds }) => ({ system: port.watchIdle(thresholdSeconds) }),
    'desktop.notify': (notification) => ({
      // The setting is checked here, once, so neither host can forget it.
      shown: deps.settings.get().notifications ? port.notify(notification) : false,
    }),
    'desktop.notify.close': ({ id }) => {
      port.closeNotification(id);
    },
    'desktop.links.take': () => port.takePendingLinks(),
    'desktop.links.claim': () => ({ outcome: port.claimLinks() }),
    'desktop.update.status': () => port.updateStatus(),
    'desktop.update.check': () => port.checkForUpdates(),
    'desktop.update.install': () => port.installUpdate(),
  };
}
