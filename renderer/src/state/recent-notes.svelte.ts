import type { Note } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/**
 * The last notes about a caller, for the call card. Follows `store.changed`, so a note a colleague
 * writes or closes while the call is up shows at once. The note of the call itself is left out:
 * the card's note form already shows it, and listing it too would redraw the list on every keystroke.
 * Call from a component's initialisation; the subscription ends with the component.
 */
export function followRecentNotes(query: () => { contactId: string | undefined; callId: string | undefined }, limit = 3) {
  const recent = $state<{ items: Note[] }>({ items: [] });
  $effect(() => {
    const { contactId, callId } = query();
    recent.items = [];
    if (!contactId) return;
    let generation = 0;
    const load = () => {
      const mine = ++generation;
      // One more than shown, so leaving out this call's note still fills the list.
      call('notes.list', { contact_id: contactId, limit: limit + 1 })
        .then((list) => {
          if (mine === generation) recent.items = list.filter((note) => !callId || note.call_id !== callId).slice(0, limit);
        })
        .catch((error: unknown) => reportError(error, 'phone.notes'));
    };
    load();
    const stop = on('store.changed', (change) => {
      if (change.table === 'note') load();
    });
    return () => {
      generation++;
      stop();
    };
  });
  return recent;
}
