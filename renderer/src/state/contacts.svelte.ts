import type { Contact, ContactCreate, ContactPatch, PhoneKind } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

export const PAGE_SIZE = 50;
/** Search as you type waits this long after the last key so a fast typist sends one query. */
export const SEARCH_DEBOUNCE_MS = 100;

export interface PhoneDraft {
  /** Existing phone record id; absent for a number added in this edit. */
  id?: string | undefined;
  kind: PhoneKind;
  number: string;
}

interface ContactsState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  tenant: string;
  query: string;
  page: number;
  total: number;
  items: Contact[];
  selectedId: string | null;
  selected: Contact | null;
  /** A deleted contact kept for "Rückgängig" until the next delete or navigation. */
  deleted: Contact | null;
}

export const contactsState = $state<ContactsState>({
  status: 'idle',
  tenant: '',
  query: '',
  page: 0,
  total: 0,
  items: [],
  selectedId: null,
  selected: null,
  deleted: null,
});

let searchTimer: ReturnType<typeof setTimeout> | undefined;
let generation = 0;
let listening = false;

function tenantFilter(): string | undefined {
  return contactsState.tenant || undefined;
}

/** Loads the current page, or the search hits when there is a query. Stale answers are dropped. */
export async function refreshContacts(): Promise<void> {
  const mine = ++generation;
  if (contactsState.items.length === 0) contactsState.status = 'loading';
  try {
    const query = contactsState.query.trim();
    if (query) {
      const hits = await call('contacts.search', { query, tenant: tenantFilter(), limit: 100 });
      if (mine !== generation) return;
      contactsState.items = hits.map((hit) => hit.contact);
      contactsState.total = hits.length;
    } else {
      const page = await call('contacts.list', {
        tenant: tenantFilter(),
        offset: contactsState.page * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      if (mine !== generation) return;
      contactsState.items = page.items;
      contactsState.total = page.total;
    }
    contactsState.status = 'ready';
  } catch (error) {
    if (mine !== generation) return;
    contactsState.status = 'error';
    reportError(error, 'contacts.refresh');
  }
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table !== 'contact' && change.table !== 'contact_phone') return;
      followChange(change.source === 'import' ? IMPORT_REFRESH_MS : 0);
    });
  }
}

/**
 * Changes come in bursts: an import commits a batch every few milliseconds, and while a large one
 * has dropped the name indexes (rebuilt at its end) a list query sorts the whole table in the main
 * process (tens of ms at 100,000 contacts). So one refresh per burst, at most one a second while
 * importing.
 */
const IMPORT_REFRESH_MS = 1000;
let changeTimer: ReturnType<typeof setTimeout> | undefined;

function followChange(delayMs: number): void {
  if (changeTimer) return;
  changeTimer = setTimeout(() => {
    changeTimer = undefined;
    void refreshContacts();
    if (contactsState.selectedId) void selectContact(contactsState.selectedId, false);
  }, delayMs);
}

export function setQuery(query: string): void {
  contactsState.query = query;
  contactsState.page = 0;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void refreshContacts(), SEARCH_DEBOUNCE_MS);
}

export function setTenantFilter(tenant: string): void {
  contactsState.tenant = tenant;
  contactsState.page = 0;
  void refreshContacts();
}

export function setPage(page: number): void {
  contactsState.page = Math.max(0, page);
  void refreshContacts();
}

/** One contact by id, for a form that shows whom it is about; null when it is gone (the error is reported). */
export async function fetchContact(id: string): Promise<Contact | null> {
  try {
    return await call('contacts.get', { id });
  } catch (error) {
    reportError(error, 'contacts.get');
    return null;
  }
}

export async function selectContact(id: string | null, report = true): Promise<void> {
  contactsState.selectedId = id;
  if (id === null) {
    contactsState.selected = null;
    return;
  }
  try {
    const contact = await call('contacts.get', { id });
    if (contactsState.selectedId === id) contactsState.selected = contact;
  } catch (error) {
    if (contactsState.selectedId === id) contactsState.selected = null;
    if (report) reportError(error, 'contacts.get');
  }
}

/**
 * Saves a form: the changed fields in one update, then the phone numbers one by one (each is its
 * own synced record). Returns the saved contact, or undefined when the store refused something.
 */
export async function saveContact(
  original: Contact | null,
  tenant: string,
  fields: Required<ContactPatch>,
  phones: PhoneDraft[],
): Promise<Contact | undefined> {
  try {
    let contact: Contact;
    if (!original) {
      const create: ContactCreate = {
        tenant,
        ...fields,
        name: fields.name ?? '',
        phones: phones.filter((p) => p.number.trim()).map((p) => ({ kind: p.kind, number: p.number.trim() })),
      };
      contact = await call('contacts.create', create);
    } else {
      const patch: ContactPatch = {};
      for (const key of Object.keys(fields) as (keyof ContactPatch)[]) {
        if ((fields[key] ?? null) !== (original[key] ?? null)) Object.assign(patch, { [key]: fields[key] });
      }
      contact = Object.keys(patch).length ? await call('contacts.update', { id: original.id, patch }) : original;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
      const kept = new Set(phones.map((p) => p.id).filter(Boolean));
      for (const old of original.phones) {
        if (!kept.has(old.id)) contact = await call('contacts.removePhone', { id: old.id });
      }
      for (const draft of phones) {
        const number = draft.number.trim();
        const old = original.phones.find((p) => p.id === draft.id);
        if (!old) {
          if (number) contact = await call('contacts.addPhone', { contact_id: original.id, kind: draft.kind, number });
        } else if (!number) {
          contact = await call('contacts.removePhone', { id: old.id });
        } else if (old.kind !== draft.kind || old.number !== number) {
          contact = await call('contacts.updatePhone', { id: old.id, kind: draft.kind, number });
        }
      }
    }
    contactsState.selectedId = contact.id;
    contactsState.selected = contact;
    await refreshContacts();
    return contact;
  } catch (error) {
    reportError(error, 'contacts.save');
    return undefined;
  }
}

export async function deleteContact(contact: Contact): Promise<boolean> {
  try {
    await call('contacts.delete', { id: contact.id });
    contactsState.deleted = contact;
    if (contactsState.selectedId === contact.id) await selectContact(null);
    await refreshContacts();
    return true;
  } catch (error) {
    reportError(error, 'contacts.delete');
    return false;
  }
}

/** Undo re-creates the contact from the copy kept at deletion (a new record with the same content). */
export async function undoDelete(): Promise<void> {
  const contact = contactsState.deleted;
  if (!contact) return;
  contactsState.deleted = null;
  try {
    const restored = await call('contacts.create', {
      tenant: contact.tenant,
      name: contact.name,
      company: contact.company,
      email: contact.email,
      street: contact.street,
      postal_code: contact.postal_code,
      city: contact.city,
      notes: contact.notes,
      phones: contact.phones.map((p) => ({ kind: p.kind, number: p.number })),
    });
    await refreshContacts();
    await selectContact(restored.id);
  } catch (error) {
    reportError(error, 'contacts.undoDelete');
  }
}
