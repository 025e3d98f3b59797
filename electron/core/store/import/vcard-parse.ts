import type { ImportItem, ImportedContact } from './record.js';
import { nonEmpty, phoneKind } from './record.js';

interface Property {
  name: string;
  params: Map<string, string[]>;
  value: string;
}

/** Joins folded lines (RFC 6350 §3.2; vCard 2.1 quoted-printable soft breaks), keeping the start line. */
export async function* unfold(lines: AsyncIterable<string>): AsyncGenerator<{ text: string; line: number }> {
  let current: { text: string; line: number } | null = null;
  let n = 0;
  for await (let raw of lines) {
    n++;
    if (n === 1 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    if (current && (raw.startsWith(' ') || raw.startsWith('\t'))) {
      current.text += raw.slice(1);
      continue;
    }
    if (current && /QUOTED-PRINTABLE/i.test(current.text.split(':', 1)[0] ?? '') && current.text.endsWith('=')) {
      current.text = current.text.slice(0, -1) + raw;
      continue;
    }
    if (current) yield current;
    current = { text: raw, line: n };
  }
  if (current) yield current;
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits a structured value (N, ADR, ORG) on unescaped semicolons. */
function components(value: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      cur += c + value[++i]!;
    } else if (c === ';') {
      parts.push(unescapeText(cur));
      cur = '';
    } else cur += c;
  }
  parts.push(unescapeText(cur));
  return parts;
}

function decodeQuotedPrintable(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function parseProperty(text: string): Property | null {
  let colon = -1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return null;
  const [head = '', ...rawParams] = text.slice(0, colon).split(';');
  const name = (head.includes('.') ? head.slice(head.lastIndexOf('.') + 1) : head).toUpperCase();
  const params = new Map<string, string[]>();
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    // vCard 2.1 writes bare types: TEL;WORK;VOICE:…
    const key = eq < 0 ? 'TYPE' : p.slice(0, eq).toUpperCase();
    const values = (eq < 0 ? p : p.slice(eq + 1)).replace(/"/g, '').split(',').filter(Boolean);
    params.set(key, [...(params.get(key) ?? []), ...values]);
  }
  let value = text.slice(colon + 1);
  if (params.get('ENCODING')?.some((e) => e.toUpperCase() === 'QUOTED-PRINTABLE')) value = decodeQuotedPrintable(value);
  return { name, params, value };
}

function toContact(props: Property[], line: number): ImportItem {
  const get = (name: string) => props.find((p) => p.name === name);
  const n = get('N');
  const fn = nonEmpty(get('FN') ? unescapeText(get('FN')!.value) : null);
  let name = fn;
  if (!name && n) {
    const [family = '', given = '', middle = '', prefix = '', suffix = ''] = components(n.value);
    name = nonEmpty([prefix, given, middle, family, suffix].filter((s) => s.trim()).join(' '));
  }
  const org = get('ORG')
    ? nonEmpty(
        components(get('ORG')!.value)
          .filter((s) => s.trim())
          .join(', '),
      )
    : null;
  const email = get('EMAIL') ? nonEmpty(unescapeText(get('EMAIL')!.value)) : null;
  name ??= org ?? email;
  if (!name) return { line, error: 'the vCard has no name (FN, N, ORG or EMAIL)', reason: 'no_name' };
  const adr =
    props.find((p) => p.name === 'ADR' && (p.params.get('TYPE') ?? []).some((t) => t.toLowerCase() === 'work')) ?? get('ADR');
  const [, , street = '', city = '', , postal = ''] = adr ? components(adr.value) : [];
  const phones = props
    .filter((p) => p.name === 'TEL')
    .map((p) => ({ kind: phoneKind(p.params.get('TYPE') ?? []), number: unescapeText(p.value).replace(/^tel:/i, '').trim() }))
    .filter((p) => p.number.length > 0);
  const note = get('NOTE');
  const contact: ImportedContact = {
    line,
    name,
    company: org,
    email,
    street: nonEmpty(street),
    postal_code: nonEmpty(postal),
    city: nonEmpty(city),
    notes: note ? nonEmpty(unescapeText(note.value)) : null,
    phones,
  };
  return contact;
}

/**
 * A streaming vCard 2.1/3.0/4.0 reader: one card in memory at a time. Broken cards (no END, no
 * name, lines outside a card) are reported with the line they start on; the rest are read on.
 */
export async function* parseVcards(lines: AsyncIterable<string>): AsyncGenerator<ImportItem> {
  let card: { line: number; props: Property[] } | null = null;
  let strayReported = false;
  for await (const { text, line } of unfold(lines)) {
    if (text.trim() === '') continue;
    const prop = parseProperty(text);
    const begin = prop?.name === 'BEGIN' && prop.value.trim().toUpperCase() === 'VCARD';
    const end = prop?.name === 'END' && prop.value.trim().toUpperCase() === 'VCARD';
    if (begin) {
      if (card) yield { line: card.line, error: 'vCard without END:VCARD', reason: 'vcard_unterminated' };
      card = { line, props: [] };
      strayReported = false;
    } else if (end) {
      if (card) yield toContact(card.props, card.line);
      card = null;
    } else if (!card) {
      if (!strayReported) yield { line, error: 'text outside BEGIN:VCARD … END:VCARD', reason: 'vcard_outside' };
      strayReported = true;
    } else if (prop) {
      if (card.props.length < 500) card.props.push(prop);
    }
  }
  if (card) yield { line: card.line, error: 'vCard without END:VCARD', reason: 'vcard_unterminated' };
}
