import { go } from './navigation.svelte.js';

/** A contact the contacts screen is to start as a new one, prefilled: the unknown caller of a call. */
export interface ContactDraft {
  tenant: string;
  number: string;
}

export const contactDraft = $state<{ pending: ContactDraft | null }>({ pending: null });

/** Opens the contacts screen on a new contact for this caller; the call card stays on top of it. */
export function createContactFor(draft: ContactDraft): void {
  contactDraft.pending = draft;
  go('contacts');
}

/** The contacts screen takes the draft once: a later visit starts as usual. */
export function takeContactDraft(): ContactDraft | null {
  const draft = contactDraft.pending;
  contactDraft.pending = null;
  return draft;
}
