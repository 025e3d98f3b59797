import { escapeText, writeContentLines } from '../../../../protocol/content-line.js';
import type { Contact } from '../../../../protocol/index.js';

const TEL_TYPE: Record<string, string> = { mobile: 'cell', work: 'work', home: 'home', fax: 'fax', other: 'voice' };

/** One contact as a vCard 4.0 (CRLF line ends, folded lines). */
export function toVcard(contact: Contact): string {
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', `UID:urn:uuid:${contact.id}`, `FN:${escapeText(contact.name)}`];
  if (contact.company) lines.push(`ORG:${escapeText(contact.company)}`);
  if (contact.email) lines.push(`EMAIL;TYPE=work:${escapeText(contact.email)}`);
  for (const phone of contact.phones) {
    const type = TEL_TYPE[phone.kind] ?? 'voice';
    lines.push(
      phone.e164 ? `TEL;VALUE=uri;TYPE=${type}:tel:${phone.e164}` : `TEL;VALUE=text;TYPE=${type}:${escapeText(phone.number)}`,
    );
  }
  if (contact.street || contact.city || contact.postal_code) {
    const adr = ['', '', contact.street ?? '', contact.city ?? '', '', contact.postal_code ?? '', ''].map(escapeText);
    lines.push(`ADR;TYPE=work:${adr.join(';')}`);
  }
  if (contact.notes) lines.push(`NOTE:${escapeText(contact.notes)}`);
  lines.push(`REV:${contact.updated_at.replace(/[-:]/g, '').replace(/\.\d+/, '')}`, 'END:VCARD');
  return writeContentLines(lines);
}
