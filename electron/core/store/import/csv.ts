import type { Readable } from 'node:stream';
import Papa from 'papaparse';
import type { PhoneKind } from '../../../../protocol/index.js';
import type { ImportItem } from './record.js';
import { nonEmpty, phoneKind } from './record.js';

export type CsvProfile = 'auto' | 'outlook' | 'google' | 'generic';
type Get = (...names: string[]) => string | null;

/** Outlook's export (English and German column names). */
function outlook(get: Get): Mapped {
  const name = [get('first name', 'vorname'), get('middle name', 'weitere vornamen'), get('last name', 'nachname')]
    .filter(Boolean)
    .join(' ');
  const phones: [PhoneKind, string | null][] = [
    ['work', get('business phone', 'telefon geschäftlich')],
    ['work', get('business phone 2', 'telefon geschäftlich 2')],
    ['home', get('home phone', 'telefon (privat)', 'telefon privat')],
    ['mobile', get('mobile phone', 'mobiltelefon')],
    ['fax', get('business fax', 'fax geschäftlich')],
    ['other', get('other phone', 'weiteres telefon', 'primary phone', 'haupttelefon')],
  ];
  return {
    name: nonEmpty(name),
    company: get('company', 'firma'),
    email: get('e-mail address', 'e-mail-adresse', 'e-mail'),
    street: get('business street', 'straße geschäftlich') ?? get('home street', 'straße privat'),
    city: get('business city', 'ort geschäftlich') ?? get('home city', 'ort privat'),
    postal_code: get('business postal code', 'postleitzahl geschäftlich') ?? get('home postal code', 'postleitzahl privat'),
    notes: get('notes', 'notizen'),
    phones,
  };
}

/** Google Contacts' export, old ("Given Name", "Phone 1 - Type") and new ("First Name", "Phone 1 - Label"). */
function google(get: Get): Mapped {
  const name =
    get('name') ??
    nonEmpty(
      [get('given name', 'first name'), get('additional name', 'middle name'), get('family name', 'last name')]
        .filter(Boolean)
        .join(' '),
    );
  const phones: [PhoneKind, string | null][] = [];
  for (let i = 1; i <= 9; i++) {
    const value = get(`phone ${i} - value`);
    if (!value) continue;
    const kind = phoneKind([get(`phone ${i} - type`, `phone ${i} - label`) ?? '']);
    // Google joins several numbers of one type with " ::: ".
    for (const number of value.split(':::')) phones.push([kind, number.trim()]);
  }
  return {
    name,
    company: get('organization 1 - name', 'organization name'),
    email: get('e-mail 1 - value'),
    street: get('address 1 - street'),
    city: get('address 1 - city'),
    postal_code: get('address 1 - postal code'),
    notes: get('notes'),
    phones,
  };
}

/** Plain spreadsheets: name/company/email/phone columns in English or German. */
function generic(get: Get): Mapped {
  const name =
    get('name', 'full name', 'display name') ??
    nonEmpty([get('first name', 'vorname'), get('last name', 'nachname')].filter(Boolean).join(' '));
  return {
    name,
    company: get('company', 'firma', 'organization', 'organisation'),
    email: get('email', 'e-mail', 'mail'),
    street: get('street', 'straße', 'strasse', 'adresse'),
    city: get('city', 'ort', 'stadt'),
    postal_code: get('postal code', 'zip', 'plz', 'postleitzahl'),
    notes: get('notes', 'notizen', 'bemerkung'),
    phones: [
      ['work', get('phone', 'telefon', 'work phone')],
      ['mobile', get('mobile', 'mobil', 'handy')],
      ['home', get('home phone', 'privat')],
      ['fax', get('fax')],
    ],
  };
}

interface Mapped {
  name: string | null;
  company: string | null;
  email: string | null;
  street: string | null;
  city: string | null;
  postal_code: string | null;
  notes: string | null;
  phones: [PhoneKind, string | null][];
}

const MAPPERS = { outlook, google, generic } as const;

export function detectProfile(header: readonly string[]): Exclude<CsvProfile, 'auto'> {
  const h = new Set(header.map((c) => c.trim().toLowerCase()));
  if (h.has('phone 1 - value') || h.has('given name') || h.has('organization 1 - name') || h.has('e-mail 1 - value'))
    return 'google';
  if (
    h.has('business phone') ||
    h.has('mobile phone') ||
    h.has('e-mail address') ||
    h.has('telefon geschäftlich') ||
    h.has('mobiltelefon')
  )
    return 'outlook';
  return 'generic';
}

function newlines(row: readonly string[]): number {
  let n = 0;
  for (const cell of row) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  return n;
}

// How many parsed chunks (16 KiB of the file each, ~150 rows) may wait before the file is paused.
const QUEUED_CHUNKS = 8;

/**
 * The file's rows, a chunk of the file at a time. papaparse hands over each chunk's rows in one
 * callback; its NODE_STREAM_INPUT mode instead pushes every row through a stream and an async
 * iteration of its own, which costs a noticeable share of the parser thread's time per row. Backpressure pauses
 * the file, never papaparse (its pause/resume drops rows in chunk mode).
 */
async function* csvChunks(input: Readable): AsyncGenerator<string[][]> {
  const queue: string[][][] = [];
  // An object, not `let`s: the callbacks set them, which narrowing after `await` does not see.
  const state: { done: boolean; failure: { error: unknown } | null } = { done: false, failure: null };
  let wake: (() => void) | null = null;
  const notify = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  Papa.parse<string[]>(input, {
    header: false,
    skipEmptyLines: false,
    chunk: (results) => {
      queue.push(results.data);
      if (queue.length >= QUEUED_CHUNKS) input.pause();
      notify();
    },
    complete: () => {
      state.done = true;
      notify();
    },
    error: (error) => {
      state.failure = { error };
      notify();
    },
  });
  try {
    for (;;) {
      const rows = queue.shift();
      if (rows) {
        if (queue.length < QUEUED_CHUNKS / 2 && input.isPaused()) input.resume();
        yield rows;
        continue;
      }
      if (state.failure) throw state.failure.error;
      if (state.done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    input.destroy();
  }
}

/**
 * Streams CSV rows through papaparse (delimiter detected: Outlook in German writes `;`) and maps
 * each to a contact, a chunk of the file at a time. Line numbers count the header as line 1 and
 * follow quoted line breaks.
 */
export async function* parseCsv(input: Readable, profile: CsvProfile): AsyncGenerator<ImportItem[]> {
  let header: string[] | null = null;
  let map: (typeof MAPPERS)[keyof typeof MAPPERS] = generic;
  const index = new Map<string, number>();
  let line = 1;
  for await (const rows of csvChunks(input)) {
    const items: ImportItem[] = [];
    for (const row of rows) {
      const start = line;
      line += 1 + newlines(row);
      if (!header) {
        header = row.map((cell, i) => (i === 0 ? cell.replace(/^\uFEFF/, '') : cell).trim().toLowerCase());
        map = MAPPERS[profile === 'auto' ? detectProfile(header) : profile];
        header.forEach((name, i) => index.has(name) || index.set(name, i));
        continue;
      }
      if (row.length === 1 && row[0]!.trim() === '') continue;
      if (row.length !== header.length) {
        items.push({
          line: start,
          error: `row has ${row.length} fields, the header has ${header.length}`,
          reason: 'columns',
          values: { fields: row.length, header: header.length },
        });
        continue;
      }
      const get: Get = (...names) => {
        for (const name of names) {
          const i = index.get(name);
          if (i !== undefined) {
            const v = nonEmpty(row[i]);
            if (v !== null) return v;
          }
        }
        return null;
      };
      const m = map(get);
      const name = m.name ?? m.company ?? m.email;
      if (!name) {
        items.push({ line: start, error: 'row has no name, company or e-mail', reason: 'no_name' });
        continue;
      }
      items.push({
        line: start,
        name,
        company: m.company,
        email: m.email,
        street: m.street,
        postal_code: m.postal_code,
        city: m.city,
        notes: m.notes,
        phones: m.phones.filter((p): p is [PhoneKind, string] => p[1] !== null).map(([kind, number]) => ({ kind, number })),
      });
    }
    if (items.length > 0) yield items;
  }
}
