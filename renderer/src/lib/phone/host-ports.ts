import { call, on } from '../host/client.js';
import type { PbxHost } from './bridged-transport.js';
import type { PhonePorts } from './ports.js';

/** The bridged transport's host: the main process holds the WSS connection and the client certificate. */
export const hostPbx: PbxHost = {
  connect: () => call('pbx.connect'),
  state: () => call('pbx.state'),
  send: (message) => call('pbx.send', { message }),
  disconnect: () => call('pbx.disconnect'),
  onMessage: (listener) => on('pbx.message', ({ message }) => listener(message)),
  onState: (listener) => on('pbx.state', listener),
};

/**
 * The engine's ports on the host API: caller lookup and call history in the local store, desktop
 * notifications and the call-active flag (display sleep, no update mid-call), the host's log.
 */
export function hostPorts(text: PhonePorts['text']): PhonePorts {
  const swallow = () => undefined;
  return {
    lookupCaller: (number, dialled) =>
      call('lookup.caller', { number: number.slice(0, 100), ...(dialled ? { dialled: dialled.slice(0, 100) } : {}) }),
    createCall: (record) => call('calls.create', record),
    updateCall: async (id, patch) => {
      await call('calls.update', { id, patch });
    },
    notify: (notification) => void call('desktop.notify', notification).catch(swallow),
    closeNotification: (id) => void call('desktop.notify.close', { id }).catch(swallow),
    setCallActive: (active) => void call('desktop.callState', { callActive: active }).catch(swallow),
    log: (level, message) => {
      if (level === 'debug') return;
      void call('log.write', { level, message: `phone: ${message}` }).catch(swallow);
    },
    text,
  };
}

const LOOKUP_TABLES: ReadonlySet<string> = new Set(['tenant', 'contact', 'contact_phone']);

/** Lets calls that are up follow new firms and contacts in the store; returns the unsubscribe. */
export function followLookupChanges(engine: { refreshLookups(): void }): () => void {
  return on('store.changed', (change) => {
    if (LOOKUP_TABLES.has(change.table)) engine.refreshLookups();
  });
}
