/**
 * The firms' data, put in once per demo home from the teleworker's desk, the way an office would:
 * each firm's customer list through the contact import, then a few earlier notes on the regular
 * customers (the host API call the call card's note form makes). Sync carries both to the server and
 * from there to the craftsman's and the lead's desks.
 */
import type { CallerLookup } from '../../protocol/store.js';
import { demoContacts, earlierNotes } from './contacts.js';
import { importContacts, type DeskShell } from './desks.js';
import { FIRMS } from './office.js';

export async function importFirmContacts(desk: DeskShell, say: (line: string) => void): Promise<number> {
  let total = 0;
  for (const [tenant, contacts] of demoContacts(FIRMS)) {
    const report = await importContacts(desk, tenant, contacts.csv);
    if (report.failed > 0 || report.imported !== contacts.count)
      throw new Error(`contact import for ${tenant}: ${report.imported} imported, ${report.failed} refused`);
    total += report.imported;
  }
  say(`${total} Kundenkontakte über den Kontakt-Import eingelesen`);
  return total;
}

export async function seedEarlierNotes(desk: DeskShell, say: (line: string) => void): Promise<void> {
  let count = 0;
  // One generator run for all firms: the same people as the import (the seed runs through the firms in order).
  const all = demoContacts(FIRMS);
  for (const firm of FIRMS) {
    const regulars = all.get(firm.id)?.regulars ?? [];
    for (const [index, customer] of regulars.entries()) {
      const lookup = await desk.invoke<CallerLookup>('lookup.caller', { number: customer.number, dialled: firm.number });
      if (!lookup.contact) throw new Error(`regular customer ${customer.name} (${customer.number}) not found after the import`);
      for (const note of earlierNotes(firm, customer, index)) {
        await desk.invoke('notes.create', {
          tenant: firm.id,
          contact_id: lookup.contact.id,
          subject: note.subject,
          body: note.body,
          callback_requested: false,
        });
        count++;
      }
    }
  }
  say(`${count} frühere Notizen zu Stammkunden angelegt`);
}
