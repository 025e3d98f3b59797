import type { HostEventBus } from '../events.js';
import type { MailRegister } from './mail-register.js';
import type { Db } from './open.js';

/**
 * Mail older than this when it first reaches a profile is history, not news: a craftsman's first
 * sync of a new computer must not raise a notification for every letter of the past years.
 */
const NEWS_MS = 7 * 24 * 3600_000;

/**
 * Emits `mail.arrived` for a mail item a pull brought that this profile has not seen before, of a
 * firm it serves, still open and unread: the craftsman's desktop notification. Items written here
 * (the office registering) are known from their local write and never announced back.
 */
export function watchMailArrivals(
  db: Db,
  register: MailRegister,
  events: HostEventBus,
  serves: (tenant: string) => boolean,
  now: () => number = Date.now,
): () => void {
  // Only complete items count as seen: one whose sender arrives on a later page is announced then.
  const seen = new Set(db.prepare('SELECT id FROM mail_item WHERE sender IS NOT NULL').pluck().all() as string[]);
  return events.subscribe((e) => {
    if (e.event !== 'store.changed' || e.payload.table !== 'mail_item') return;
    for (const id of e.payload.ids) {
      if (seen.has(id)) continue;
      if (e.payload.source !== 'sync') {
        seen.add(id);
        continue;
      }
      let item;
      try {
        item = register.get(id);
      } catch {
        continue; // not complete yet, or deleted
      }
      seen.add(id);
      const fresh = now() - Date.parse(item.created_at) < NEWS_MS;
      if (!serves(item.tenant) || item.status === 'erledigt' || item.read_at || !fresh) continue;
      events.emit('mail.arrived', {
        id: item.id,
        tenant: item.tenant,
        sender: item.sender,
        kind: item.kind,
        deadline: item.deadline,
      });
    }
  });
}
