import type { Appointment, AppointmentCreate, AppointmentPatch } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { addDays, berlinDate, berlinRange, startOfWeek, todayInBerlin } from '../lib/time/berlin.js';
import { reportError } from './errors.svelte.js';
import { identityState } from './identity.svelte.js';
import { tenantsState } from './tenants.svelte.js';

export type AgendaMode = 'day' | 'week';

const SEEN_KEY = 'vermittlung.agenda.seen';

/** What the craftsman last looked at, per appointment: a fingerprint of its visible fields. */
function loadSeen(): Record<string, string> | null {
  try {
    const raw = localStorage.getItem(SEEN_KEY);
    return raw ? (JSON.parse(raw) as Record<string, string>) : null;
  } catch {
    return null;
  }
}

export type AgendaPerson = { name: string; phone: string | null };

function noPeople(): Record<string, AgendaPerson> {
  return {};
}

export const agenda = $state({
  mode: 'week',
  date: todayInBerlin(),
  tenant: '',
  items: [] as Appointment[],
  status: 'idle',
  seen: loadSeen(),
  /** Who each appointment is with, by contact id: name and the number to call them on. */
  people: noPeople(),
  /** The appointment to scroll to and highlight: just booked here, or just arrived from a colleague. */
  focus: null as string | null,
});

export function fingerprint(a: Appointment): string {
  return JSON.stringify([a.starts_at, a.ends_at, a.place, a.subject, a.notes, a.status, a.contact_id]);
}

/** `new` never seen, `changed` since last seen; nothing on the very first visit (all is new then). */
export function changeKind(a: Appointment): 'new' | 'changed' | null {
  if (!agenda.seen) return null;
  const seen = agenda.seen[a.id];
  if (seen === undefined) return 'new';
  return seen === fingerprint(a) ? null : 'changed';
}

export function markSeen(): void {
  const seen = { ...(agenda.seen ?? {}) };
  for (const a of agenda.items) seen[a.id] = fingerprint(a);
  agenda.seen = seen;
  try {
    localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
  } catch {
    // a full or disabled storage only loses the highlighting
  }
}

/**
 * A firm's display name: from the directory, else from the identity (a craftsman's profile may
 * not hold the directory entry of his own firm), else its id.
 */
export function firmName(tenant: string): string {
  return (
    tenantsState.items.find((item) => item.tenant === tenant)?.name ??
    identityState.summary?.tenants.find((item) => item.id === tenant)?.name ??
    tenant
  );
}

/** The firm whose agenda is shown: the craftsman's own, else the chosen one or the first. */
export function agendaTenant(): string {
  return agenda.tenant || identityState.summary?.tenants[0]?.id || tenantsState.items[0]?.tenant || '';
}

export function visibleRange(): { from: string; to: string; days: string[] } {
  const first = agenda.mode === 'week' ? startOfWeek(agenda.date) : agenda.date;
  const count = agenda.mode === 'week' ? 7 : 1;
  const days = Array.from({ length: count }, (_, i) => addDays(first, i));
  return { ...berlinRange(first, count), days };
}

/** All appointments of one firm in [from, to), oldest first. */
export async function listAppointments(tenant: string, from: string, to: string): Promise<Appointment[]> {
  const items: Appointment[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await call('appointments.list', { tenant, from, to, offset, limit: 500 });
    items.push(...page);
    if (page.length < 500) break;
  }
  return items.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
}

let listening = false;
/** The firm and period of the last load, and what it held: what is new in a reload of the same view. */
let lastView = '';
let lastIds: string[] = [];

export async function refreshAgenda(): Promise<void> {
  const tenant = agendaTenant();
  if (!listening) {
    listening = true;
    on('store.changed', (change) => {
      if (change.table === 'contact') agenda.people = {};
      if (change.table === 'appointment' || change.table === 'contact') void refreshAgenda();
    });
  }
  if (!tenant) {
    agenda.items = [];
    agenda.status = 'ready';
    return;
  }
  if (agenda.status !== 'ready') agenda.status = 'loading';
  try {
    const { from, to } = visibleRange();
    const view = `${tenant} ${from}`;
    const items = await listAppointments(tenant, from, to);
    await loadPeople(items);
    const before = lastIds;
    const sameView = view === lastView;
    [lastView, lastIds] = [view, items.map((a) => a.id)];
    const arrived = sameView ? items.find((a) => !before.includes(a.id) && changeKind(a) === 'new') : undefined;
    agenda.items = items;
    if (arrived && !agenda.focus) agenda.focus = arrived.id;
    agenda.status = 'ready';
    // First visit: everything counts as seen, so nothing is highlighted without reason.
    if (!agenda.seen) markSeen();
  } catch (error) {
    agenda.status = 'error';
    reportError(error, 'appointments.list');
  }
}

async function loadPeople(items: Appointment[]): Promise<void> {
  const missing = [...new Set(items.map((a) => a.contact_id).filter((id): id is string => !!id))].filter(
    (id) => !(id in agenda.people),
  );
  if (missing.length === 0) return;
  const found = await Promise.all(
    missing.map((id) =>
      call('contacts.get', { id }).then(
        (c) => [id, c] as const,
        () => [id, null] as const,
      ),
    ),
  );
  const people = { ...agenda.people };
  for (const [id, c] of found) {
    if (!c) continue;
    const phone = c.phones.find((p) => p.kind === 'mobile') ?? c.phones[0];
    people[id] = { name: c.name, phone: phone?.number ?? null };
  }
  agenda.people = people;
}

/** Shows the day of a just-booked appointment and marks it to be scrolled to and highlighted. */
export async function showAppointment(appointment: Appointment): Promise<void> {
  agenda.date = berlinDate(appointment.starts_at);
  agenda.focus = appointment.id;
  await refreshAgenda();
}

export function shift(direction: -1 | 1): void {
  agenda.date = addDays(agenda.date, direction * (agenda.mode === 'week' ? 7 : 1));
  void refreshAgenda();
}

/** Marks an appointment cancelled (it stays visible, struck through) and reloads the agenda. */
export async function cancelAppointment(appointment: Appointment): Promise<void> {
  try {
    await call('appointments.update', { id: appointment.id, patch: { status: 'cancelled' } });
    await refreshAgenda();
  } catch (error) {
    reportError(error, 'appointments.update');
  }
}

/** Books a new appointment or changes an existing one; null when the host refused (the error is reported). */
export async function saveAppointment(
  existing: Appointment | null,
  create: Pick<AppointmentCreate, 'tenant' | 'call_id' | 'status'>,
  fields: AppointmentPatch & Pick<AppointmentCreate, 'starts_at'>,
): Promise<Appointment | null> {
  try {
    return existing
      ? await call('appointments.update', { id: existing.id, patch: fields })
      : await call('appointments.create', { ...create, ...fields });
  } catch (error) {
    reportError(error, existing ? 'appointments.update' : 'appointments.create');
    return null;
  }
}
