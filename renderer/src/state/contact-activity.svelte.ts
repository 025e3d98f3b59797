import type { Call, Note } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/**
 * A contact's latest calls and notes, for the contact detail. Follows `store.changed`, so a call
 * that ends or a note a colleague writes shows while the contact is open. Call from a component's
 * initialisation; the subscription ends with the component.
 */
export function followContactActivity(contactId: () => string | undefined, limit = 5) {
  const activity = $state<{ calls: Call[]; notes: Note[]; loaded: boolean }>({ calls: [], notes: [], loaded: false });
  $effect(() => {
    const id = contactId();
    activity.calls = [];
    activity.notes = [];
    activity.loaded = false;
    if (!id) return;
    let generation = 0;
    const load = () => {
      const mine = ++generation;
      Promise.all([call('calls.list', { contact_id: id, limit }), call('notes.list', { contact_id: id, limit })])
        .then(([calls, notes]) => {
          if (mine !== generation) return;
          activity.calls = calls;
          activity.notes = notes;
          activity.loaded = true;
        })
        .catch((error: unknown) => reportError(error, 'contacts.activity'));
    };
    load();
    const stop = on('store.changed', (change) => {
      if (change.table === 'call' || change.table === 'note') load();
    });
    return () => {
      generation++;
      stop();
    };
  });
  return activity;
}
