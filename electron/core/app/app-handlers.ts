import type { appMethods, ShellKind } from '../../../protocol/index.js';
import type { HostEventBus } from '../events.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import { foreignContext, type Logger } from '../log/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';

export interface AppHandlerDeps {
  appVersion: string;
  platform: string;
  shell: ShellKind;
  settings: SettingsStore;
  events: HostEventBus;
  rendererLog: Logger;
}

export function appHandlers(deps: AppHandlerDeps): HandlersFor<typeof appMethods> {
  return {
    'app.info': () => ({ name: 'Vermittlung', version: deps.appVersion, platform: deps.platform, shell: deps.shell }),
    'settings.get': () => deps.settings.get(),
    'settings.set': (patch) => {
      const next = deps.settings.update(patch);
      deps.events.emit('settings.changed', next);
      return next;
    },
    'log.write': (entry) => {
      deps.rendererLog.log(entry.level, entry.message, foreignContext(entry.context));
    },
  };
}
