import type { pbxMethods } from '../../../protocol/index.js';
import type { HostEventBus } from '../events.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { PbxConnection } from './pbx-connection.js';

export interface PbxHandlerDeps {
  connection: PbxConnection;
  events: HostEventBus;
}

/** Host API for the PBX connection; SIP messages and state changes go to every renderer as events. */
export function pbxHandlers(deps: PbxHandlerDeps): HandlersFor<typeof pbxMethods> {
  const { connection, events } = deps;
  connection.onMessage((message) => events.emit('pbx.message', { message }));
  connection.onState((state) => events.emit('pbx.state', state));
  return {
    'pbx.connect': () => connection.connect(),
    'pbx.send': ({ message }) => {
      connection.send(message);
    },
    'pbx.disconnect': () => {
      connection.disconnect();
    },
    'pbx.state': () => connection.state,
  };
}
