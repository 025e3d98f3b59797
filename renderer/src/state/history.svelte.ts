import type { Call } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

export const HISTORY_PAGE = 100;

interface HistoryState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: Call[];
  missedOnly: boolean;
  tenant: string;
  page: number;
  /** Contact names by id, filled lazily for the calls on screen. */
  names: Record<string, string>;
  /** Call id → id of its first note, for "Notiz öffnen". */
  notes: Record<string, string>;
  /** When the list was last loaded (ms): "läuft" of another desk's rows is judged against it. */
  loadedAt: number;
}

export const historyState = $state<HistoryState>({
  status: 'idle',
  items: [],
  missedOnly: false,
  tenant: '',
  page: 0,
  names: {},
  notes: {},
  loadedAt: 0,
});

/** Rows this desk wrote during this session: with no line carrying them, they are over (call-groups.ts). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a plain record of ids, read when the list is drawn, never drawn itself
const ownRows = new Set<string>();

export function isOwnRow(id: string): boolean {
  return ownRows.has(id);
}

let generation = 0;
let listening = false;

export async function refreshHistory(): Promise<void> {
  const mine = ++generation;
  if (historyState.items.length === 0) historyState.status = 'loading';
  try {
    const items = await call('calls.list', {
      tenant: historyState.tenant || undefined,
      missed: historyState.missedOnly || undefined,
      offset: historyState.page * HISTORY_PAGE,
      limit: HISTORY_PAGE,
    });
    if (mine !== generation) return;
    historyState.items = items;
    historyState.loadedAt = Date.now();
    historyState.status = 'ready';
    await Promise.all([resolveNames(items), resolveNotes(items)]);
  } catch (error) {
    if (mine !== generation) return;
    historyState.status = 'error';
    reportError(error, 'calls.list');
  }
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table === 'call' && change.source === 'local') for (const id of change.ids) ownRows.add(id);
      if (change.table === 'call' || change.table === 'note') void refreshHistory();
    });
  }
}

async function resolveNames(items: Call[]): Promise<void> {
  const ids = [...new Set(items.map((c) => c.contact_id).filter((id): id is string => !!id && !historyState.names[id]))];
  await Promise.all(
    ids.map(async (id) => {
      try {
        historyState.names[id] = (await call('contacts.get', { id })).name;
      } catch {
        // A deleted contact: the number alone is shown.
      }
    }),
  );
}

async function resolveNotes(items: Call[]): Promise<void> {
  await Promise.all(
    items.map(async (item) => {
      if (historyState.notes[item.id]) return;
      const notes = await call('notes.list', { call_id: item.id, limit: 1 }).catch(() => []);
      if (notes[0]) historyState.notes[item.id] = notes[0].id;
    }),
  );
}

export function contactNameOf(item: Call): string | undefined {
  return item.contact_id ? historyState.names[item.contact_id] : undefined;
}

export function noteOf(item: Call): string | undefined {
  return historyState.notes[item.id];
}
