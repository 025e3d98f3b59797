import type { Appointment, Call, Note } from '../../../protocol/index.js';
import type { storeMethods } from '../../../protocol/index.js';
import type { HostEventBus } from '../events.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { Logger } from '../log/logger.js';
import type { LocalStore } from './store.js';
import { deleteBillingItem, listBillingItems, saveBillingItem } from './billing-items.js';
import { listContracts, saveContract } from './contracts.js';
import { readFirmUsage } from './usage.js';

export interface StoreHandlerDeps {
  store: LocalStore;
  events: HostEventBus;
  /** Refused import rows are logged in English (the UI says them in German). */
  log?: Logger | undefined;
}

/** How many refused rows of one import the log names, each with its English reason. */
const LOGGED_IMPORT_ROWS = 20;

/** The store's host API; input is already validated by the dispatcher against protocol/store.ts. */
export function storeHandlers({ store, events, log }: StoreHandlerDeps): HandlersFor<typeof storeMethods> {
  const { contacts, activity, lookup } = store;
  return {
    'store.status': () => ({
      path: store.file,
      recoveredFrom: store.recoveredFrom,
      schemaVersion: store.schemaVersion(),
      contacts: store.contactCount(),
      pendingChanges: store.sync.pendingCount(),
    }),
    'tenants.list': () => lookup.tenants(),
    'billing.usage': () => readFirmUsage(store.db),
    'contracts.list': (i) => listContracts(store.db, i.tenant),
    'contracts.save': (i) => store.write(() => saveContract(store.writer, i.tenant, i.contract)),
    'billingItems.list': (i) => listBillingItems(store.db, i.tenant),
    'billingItems.save': (i) => store.write(() => saveBillingItem(store.writer, store.db, i)),
    'billingItems.delete': (i) => {
      store.write(() => deleteBillingItem(store.writer, store.db, i.id));
      return undefined;
    },
    'contacts.list': (i) => contacts.list(i.tenant, i.offset, i.limit),
    'contacts.get': (i) => contacts.get(i.id),
    'contacts.create': (i) => store.write(() => contacts.create(i)),
    'contacts.update': (i) => store.write(() => contacts.update(i.id, i.patch)),
    'contacts.delete': (i) => {
      store.write(() => contacts.delete(i.id));
      return undefined;
    },
    'contacts.addPhone': (i) => store.write(() => contacts.addPhone(i.contact_id, i.kind, i.number)),
    'contacts.updatePhone': (i) => store.write(() => contacts.updatePhone(i.id, { kind: i.kind, number: i.number })),
    'contacts.removePhone': (i) => store.write(() => contacts.removePhone(i.id)),
    'contacts.search': (i) =>
      store.writer.search.search(i.query, i.tenant, i.limit).map((hit) => ({ contact: contacts.get(hit.id), rank: hit.rank })),
    'lookup.caller': (i) => lookup.caller(i.number, i.dialled),
    'lookup.tenantByNumber': (i) => lookup.tenantByNumber(i.number),
    'calls.list': (i) => activity.listCalls(i),
    'calls.create': (i) => store.write(() => activity.create<Call>('call', i)),
    'calls.update': (i) => store.write(() => activity.update<Call>('call', i.id, i.patch)),
    'notes.list': (i) => activity.listNotes(i),
    'notes.get': (i) => activity.get<Note>('note', i.id),
    'notes.create': (i) => store.write(() => activity.create<Note>('note', i)),
    'notes.update': (i) => store.write(() => activity.update<Note>('note', i.id, i.patch)),
    'appointments.list': (i) => activity.listAppointments(i),
    'appointments.create': (i) => store.write(() => activity.create<Appointment>('appointment', i)),
    'appointments.update': (i) => store.write(() => activity.update<Appointment>('appointment', i.id, i.patch)),
    'store.import': async (i) => {
      const report = await store.import(i, (progress) => events.emit('store.importProgress', progress));
      log?.info('contacts imported', { tenant: i.tenant, format: i.format, imported: report.imported, failed: report.failed });
      for (const row of report.errors.slice(0, LOGGED_IMPORT_ROWS))
        log?.warn('import row refused', { line: row.line, reason: row.reason, error: row.message });
      return report;
    },
    'store.exportVcard': (i) => store.exportVcard(i),
  };
}
