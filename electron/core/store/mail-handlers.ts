import type { mailMethods } from '../../../protocol/index.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { MailRegister } from './mail-register.js';
import type { LocalStore } from './store.js';

/** The mail register's host API (protocol/mail.ts); input is validated by the dispatcher, roles by the register. */
export function mailHandlers(store: LocalStore, register: MailRegister): HandlersFor<typeof mailMethods> {
  return {
    'mail.list': (i) => register.list(i),
    'mail.get': (i) => register.get(i.id),
    'mail.register': (i) => store.write(() => register.register(i)),
    'mail.update': (i) => store.write(() => register.update(i.id, i.patch)),
    'mail.changeReceipt': (i) => store.write(() => register.changeReceipt(i.id, i.received_on, i.reason)),
    'mail.advance': (i) => store.write(() => register.advance(i.id, i.status, i.disposition, i.comment)),
    'mail.confirmDisposal': (i) => store.write(() => register.confirmDisposal(i.id)),
    'mail.markRead': (i) => store.write(() => register.markRead(i.id)),
    'mail.retentionDue': () => register.retentionDue(),
    'mail.purge': (i) => store.write(() => register.purge(i.ids)),
  };
}
