import type { Note, NoteCreate, NotePatch } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { inboxOrder } from '../lib/notes/inbox-order.js';
import { noteSaved } from './after-call-work.svelte.js';
import { reportError } from './errors.svelte.js';

export type StatusFilter = 'open' | 'done' | 'all';

interface NotesState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: Note[];
  filter: { tenant: string; status: StatusFilter; assignee: string; callbackOnly: boolean };
  /** A note to show and focus (from history's "Notiz öffnen"). */
  focusId: string | null;
}

export const notesState = $state<NotesState>({
  status: 'idle',
  items: [],
  filter: { tenant: '', status: 'open', assignee: '', callbackOnly: false },
  focusId: null,
});

let generation = 0;
let listening = false;

export async function refreshNotes(): Promise<void> {
  const mine = ++generation;
  if (notesState.items.length === 0) notesState.status = 'loading';
  const { tenant, status, callbackOnly } = notesState.filter;
  try {
    const items = await call('notes.list', {
      tenant: tenant || undefined,
      status: status === 'all' ? undefined : status,
      callback: callbackOnly || undefined,
      limit: 500,
    });
    if (mine !== generation) return;
    notesState.items = items;
    notesState.status = 'ready';
  } catch (error) {
    if (mine !== generation) return;
    notesState.status = 'error';
    reportError(error, 'notes.list');
  }
  if (!listening) {
    listening = true;
    // Notes written on another PC arrive through sync: the list follows without a reload.
    on('store.changed', (change) => {
      if (change.table === 'note') void refreshNotes();
    });
  }
}

/**
 * The assignee filter runs here (the store filters by firm, status and callback only), and so does the
 * inbox order: urgent messages and due callbacks first (lib/notes/inbox-order.ts).
 */
export function visibleNotes(): Note[] {
  const wanted = notesState.filter.assignee.trim().toLocaleLowerCase();
  const items = !wanted
    ? notesState.items
    : wanted === '-'
      ? notesState.items.filter((note) => !note.assignee)
      : notesState.items.filter((note) => (note.assignee ?? '').toLocaleLowerCase().includes(wanted));
  return inboxOrder(items);
}

export async function updateNote(id: string, patch: { status?: 'open' | 'done'; assignee?: string | null }): Promise<void> {
  try {
    const updated = await call('notes.update', { id, patch });
    const index = notesState.items.findIndex((note) => note.id === id);
    if (index >= 0) notesState.items[index] = updated;
  } catch (error) {
    reportError(error, 'notes.update');
  }
}

/**
 * Writes the note taken during a call: creates it the first time, patches it after. Answers the note's id,
 * or the id it was given when the write failed (the error is reported).
 */
export async function writeCallNote(
  noteId: string | undefined,
  create: Pick<NoteCreate, 'tenant' | 'contact_id'>,
  fields: NotePatch,
): Promise<{ id: string | undefined; ok: boolean }> {
  try {
    const id = noteId ?? (await call('notes.create', { ...create, ...fields })).id;
    if (noteId) await call('notes.update', { id: noteId, patch: fields });
    // A save after the call's hang-up ends its after-call work (and "Nacharbeit").
    void noteSaved(fields.call_id);
    return { id, ok: true };
  } catch (error) {
    reportError(error, 'phone.note');
    return { id: noteId, ok: false };
  }
}

export async function openNote(id: string): Promise<void> {
  notesState.focusId = id;
  notesState.filter.status = 'all';
  notesState.filter.tenant = '';
  notesState.filter.assignee = '';
  notesState.filter.callbackOnly = false;
  await refreshNotes();
}
