/**
 * "Call this number" from anywhere in the UI (contacts, history, notes). The phone engine consumes
 * it; this module only carries the wish, so screens never import the phone engine.
 */
export interface DialIntent {
  /** Sequence number, so the same number dialled twice is two intents. */
  id: number;
  number: string;
  /** The firm on whose behalf the call goes out (its caller ID), when known. */
  tenant?: string | undefined;
  contactId?: string | undefined;
  /** Shown on the call card while the call is set up. */
  label?: string | undefined;
  /** Where it came from, for logs and tests. */
  source: 'contacts' | 'history' | 'notes' | 'team' | 'link';
}

type Listener = (intent: DialIntent) => void;

let nextId = 1;
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- subscribers, not rendered state
const listeners = new Set<Listener>();

/** The newest intent not yet taken by a consumer; null when none is waiting. */
export const dialIntent = $state({ pending: null as DialIntent | null, last: null as DialIntent | null });

export function requestDial(intent: Omit<DialIntent, 'id'>): DialIntent {
  const full: DialIntent = { ...intent, id: nextId++ };
  dialIntent.last = full;
  if (listeners.size === 0) {
    dialIntent.pending = full;
  } else {
    for (const listener of listeners) listener(full);
  }
  return full;
}

/**
 * The phone engine subscribes once at startup. An intent made before anyone listened (e.g. the
 * engine was still loading) is delivered immediately on subscription.
 */
export function onDialIntent(listener: Listener): () => void {
  listeners.add(listener);
  const waiting = dialIntent.pending;
  if (waiting) {
    dialIntent.pending = null;
    listener(waiting);
  }
  return () => listeners.delete(listener);
}
