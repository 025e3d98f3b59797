/**
 * The demo firms' customers: about 1,000 German contacts from @faker-js/faker (locale de, fixed
 * seed, so every demo home has the same people), written as the Outlook CSV export an office would
 * hand over, to go through the app's real import. A few regular customers per firm get known numbers
 * the demo's caller uses; the numbers of unknown callers come from a range no contact has.
 */
import { Faker, de } from '@faker-js/faker';
import type { DemoFirm } from './office.js';

const SEED = 20261206;
/** Mobile prefixes the contacts use; 159 is left out, so an unknown caller never matches by chance. */
const MOBILE_PREFIXES = ['151', '152', '160', '162', '170', '171', '172', '175', '176', '177', '178', '179'];

export interface RegularCustomer {
  name: string;
  /** E.164, as the caller presents it. */
  number: string;
}

export interface FirmContacts {
  csv: string;
  count: number;
  /** The first few contacts: the demo's known callers, with earlier notes. */
  regulars: RegularCustomer[];
}

const HEADER = [
  'Vorname',
  'Nachname',
  'Firma',
  'E-Mail-Adresse',
  'Straße geschäftlich',
  'Postleitzahl geschäftlich',
  'Ort geschäftlich',
  'Mobiltelefon',
  'Telefon geschäftlich',
  'Notizen',
];

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The contacts of every firm, the same on every run (one seeded generator, firms in order). */
export function demoContacts(firms: readonly DemoFirm[], regularsPerFirm = 4): Map<string, FirmContacts> {
  const faker = new Faker({ locale: [de] });
  faker.seed(SEED);
  const out = new Map<string, FirmContacts>();
  for (const firm of firms) {
    const rows = [HEADER.join(',')];
    const regulars: RegularCustomer[] = [];
    for (let i = 0; i < firm.contacts; i++) {
      const first = faker.person.firstName();
      const last = faker.person.lastName();
      const mobile = `+49${faker.helpers.arrayElement(MOBILE_PREFIXES)}${faker.string.numeric({ length: 7, allowLeadingZeros: false })}`;
      const business = faker.datatype.boolean(0.25);
      const landline = faker.datatype.boolean(0.5)
        ? `+49${firm.areaCode}${faker.string.numeric({ length: 7, allowLeadingZeros: false })}`
        : '';
      const row = [
        first,
        last,
        business ? faker.company.name() : '',
        faker.datatype.boolean(0.6) ? faker.internet.email({ firstName: first, lastName: last }).toLowerCase() : '',
        `${faker.location.street()} ${faker.location.buildingNumber()}`,
        faker.location.zipCode(),
        faker.location.city(),
        mobile,
        landline,
        faker.datatype.boolean(0.1) ? 'Stammkunde seit Jahren' : '',
      ];
      rows.push(row.map(csvField).join(','));
      if (regulars.length < regularsPerFirm) regulars.push({ name: `${first} ${last}`, number: mobile });
    }
    out.set(firm.id, { csv: rows.join('\r\n') + '\r\n', count: firm.contacts, regulars });
  }
  return out;
}

/** An outside number in no contact list (prefix 159), different for each `n`. */
export function unknownNumber(n: number): string {
  return `+49159${String(2000000 + ((n * 7919) % 7000000)).padStart(7, '0')}`;
}

/** Earlier notes on the regular customers, so a ringing card has a history to show. */
export function earlierNotes(firm: DemoFirm, customer: RegularCustomer, index: number): { subject: string; body: string }[] {
  const byFirm: Record<string, { subject: string; body: string }[]> = {
    tischlerei: [
      { subject: 'Angebot Einbauschrank', body: `${customer.name} wartet auf das Angebot für den Einbauschrank im Flur.` },
      { subject: 'Rückruf erledigt', body: 'Termin zum Ausmessen besprochen, meldet sich wieder.' },
    ],
    sanitaer: [
      { subject: 'Heizung Wartung', body: `${customer.name}: jährliche Wartung der Gastherme fällig.` },
      { subject: 'Rechnung Nachfrage', body: 'Fragt, ob die Rechnung vom Mai schon bezahlt ist.' },
    ],
    elektro: [
      { subject: 'Wallbox', body: `${customer.name} möchte eine Wallbox in der Garage, bittet um Rückruf.` },
      { subject: 'Sicherungskasten', body: 'Alter Sicherungskasten, FI-Schalter fehlt.' },
    ],
  };
  const notes = byFirm[firm.id] ?? [];
  return index % 2 === 0 ? notes : notes.slice(0, 1);
}
