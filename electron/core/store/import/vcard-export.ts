import { stripUnsafeText, type Contact } from '../../../../protocol/index.js';

const TEL_TYPE: Record<string, string> = { mobile: 'cell', work: 'work', home: 'home', fax: 'fax', other: 'voice' };

// Values pulled from elsewhere may hold controls the app refuses to write; vCard cannot carry them.
function escapeText(value: string): string {
  return stripUnsafeText(value)
    .replace(/\\/g, '\\\\')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;');
}

/** Folds a content line at 75 octets without splitting a UTF-8 character (RFC 6350 §3.2). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (bytes + size > limit) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

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
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
