import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../../../../../protocol/index.js';
import { toVcard } from '../../../../../../electron/core/store/import/vcard-export.js';
import { openStore } from '../../../../../helpers/unit-store.js';
import { REPO_ROOT } from '../../../../../helpers/repo-root.js';

const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'import');
const fixture = (name: string) => join(fixtures, name);

describe('import', () => {
  it('reads a messy vCard 3.0 file: BOM, CRLF, folded lines, escapes; bad cards reported by line', async () => {
    const { store } = openStore();
    const progress: ImportReport[] = [];
    const report = await store.import(
      { tenant: 't1', format: 'vcard', csvProfile: 'auto', path: fixture('contacts-3.0.vcf') },
      (r) => progress.push(r),
    );
    expect(report.errors).toEqual([
      { line: 19, message: 'the vCard has no name (FN, N, ORG or EMAIL)', reason: 'no_name' },
      { line: 24, message: 'vCard without END:VCARD', reason: 'vcard_unterminated' },
      { line: 32, message: 'text outside BEGIN:VCARD … END:VCARD', reason: 'vcard_outside' },
    ]);
    expect(report).toMatchObject({ imported: 4, failed: 3, done: true });
    expect(progress.at(-1)).toMatchObject({ done: true, imported: 4 });
    const [hit] = store.writer.search.search('juergen mueller', 't1', 5);
    const juergen = store.contacts.get(hit!.id);
    expect(juergen).toMatchObject({
      name: 'Dr. Jürgen Müller',
      company: 'Schreinerei Müller, Söhne & Co, Werkstatt',
      email: 'juergen@mueller-holz.de',
      street: 'Hauptstraße 5',
      city: 'Berlin',
      postal_code: '10115',
    });
    expect(juergen.notes).toBe(
      'Kommt nur dienstags, bitte\nRückruf vormittags. Sehr lange Notiz die über mehrere Zeilen gefaltet ist und Umlaute wie ä ö ü ß enthält.',
    );
    expect(juergen.phones.map((p) => [p.kind, p.e164])).toEqual([
      ['work', '+49301234567'],
      ['mobile', '+491711234567'],
    ]);
    const zoe = store.lookup.caller('+49 30 1234568').contact!;
    expect(zoe.name).toBe('Zoë Weiß');
    expect(zoe.phones.find((p) => p.kind === 'fax')).toMatchObject({ number: 'keine Nummer', valid: false });
    expect(store.lookup.caller('089 5550123').contact?.name).toBe("François O'Brien; DROP TABLE contact;--");
    expect(store.writer.search.search('anna schmidt', undefined, 5)).toHaveLength(1);
  });

  it('reads vCard 4.0 tel: URIs and vCard 2.1 quoted-printable', async () => {
    const { store } = openStore();
    const report = await store.import({
      tenant: 't1',
      format: 'vcard',
      csvProfile: 'auto',
      text: readFileSync(fixture('contacts-4.0-and-2.1.vcf'), 'utf8'),
    });
    expect(report).toMatchObject({ imported: 2, failed: 0 });
    expect(store.lookup.caller('040 5550300').contact?.name).toBe('Élodie Straßer');
    expect(store.lookup.caller('0160 5550301').contact?.phones.map((p) => p.kind)).toEqual(['work', 'mobile']);
    expect(store.lookup.caller('0221 5550400').contact?.name).toBe('Bernd Bäcker von der Sehr Langen Straße');
    expect(store.writer.search.search('elodie strasser', undefined, 5)).toHaveLength(1);
  });

  it('maps a German Outlook CSV (semicolons, BOM, quoted line breaks) and reports bad rows by line', async () => {
    const { store } = openStore();
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'auto', path: fixture('outlook-de.csv') });
    expect(report.errors).toEqual([
      { line: 5, message: 'row has 3 fields, the header has 12', reason: 'columns', values: { fields: 3, header: 12 } },
      { line: 6, message: 'row has no name, company or e-mail', reason: 'no_name' },
    ]);
    expect(report.imported).toBe(3);
    const joerg = store.lookup.caller('+49 171 3334445').contact!;
    expect(joerg).toMatchObject({
      name: 'Jörg Bäcker',
      company: 'Bäckerei Bäcker; Filiale Süd',
      city: 'Berlin',
      postal_code: '10117',
    });
    expect(joerg.phones.map((p) => p.kind)).toEqual(['work', 'mobile']);
    const uelrike = store.lookup.caller('040 5556667').contact!;
    expect(uelrike.name).toBe('Ülrike Maria Öztürk');
    // the quoted CR LF is a line break, kept as the app keeps line breaks (LF)
    expect(uelrike.notes).toBe('mehrzeilige\nNotiz mit "Anführungszeichen" und; Semikolon');
    expect(uelrike.phones.map((p) => p.kind)).toEqual(['work', 'fax']);
    const hans = store.writer.search.search('gross', undefined, 5);
    expect(store.contacts.get(hans[0]!.id).phones[0]).toMatchObject({ number: 'ungültig', valid: false });
  });

  it('maps a Google CSV, splitting " ::: " numbers', async () => {
    const { store } = openStore();
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'auto', path: fixture('google.csv') });
    expect(report.errors).toEqual([
      { line: 4, message: 'row has no name, company or e-mail', reason: 'no_name' },
      { line: 5, message: 'row has 14 fields, the header has 13', reason: 'columns', values: { fields: 14, header: 13 } },
    ]);
    const sabine = store.lookup.caller('0171 5550501').contact!;
    expect(sabine).toMatchObject({ name: 'Sabine Schäfer', company: 'Schäfer, Schulz & Partner', notes: 'Notiz, mit Komma' });
    expect(sabine.phones.map((p) => [p.kind, p.e164])).toEqual([
      ['mobile', '+491705550500'],
      ['mobile', '+491715550501'],
      ['work', '+49305550502'],
    ]);
    expect(store.lookup.caller('089 5550600').contact?.name).toBe('Peter Pan');
  });

  it('refuses a too-long value in one row and imports the others', async () => {
    const { store } = openStore();
    const text = `name,company\r\nGut,A\r\n${'x'.repeat(600)},B\r\nAuch gut,C\r\n`;
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text });
    expect(report).toMatchObject({
      imported: 2,
      failed: 1,
      errors: [{ line: 3, message: 'name is longer than 500 characters' }],
    });
    expect(store.sync.pendingChanges(100).filter((p) => p.change.field === 'name')).toHaveLength(2);
  });

  it('refuses a card with more numbers than a contact may have and imports the others with theirs', async () => {
    const { store } = openStore();
    const tel = (n: number) => Array.from({ length: n }, (_, i) => `TEL;TYPE=work:030 ${5_000_000 + i}`).join('\r\n');
    const card = (name: string, numbers: number) =>
      `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\n${tel(numbers)}\r\nEND:VCARD\r\n`;
    const text = card('Fünfzig', 50) + card('Zu viele', 51);
    const report = await store.import({ tenant: 't1', format: 'vcard', csvProfile: 'auto', text });
    expect(report).toMatchObject({
      imported: 1,
      failed: 1,
      errors: [
        { line: 55, message: 'a contact may have at most 50 phone numbers', reason: 'too_many_phones', values: { limit: 50 } },
      ],
    });
    const [kept] = store.contacts.list('t1', 0, 10).items;
    expect(store.contacts.get(kept!.id).phones).toHaveLength(50);
    // All 50 numbers travel in the contact's one entry, and each is found by lookup.
    expect(store.db.prepare('SELECT n FROM outbox').pluck().all()).toEqual([1 + 50 * 3]);
    expect(store.sync.pendingChanges(1000).filter((p) => p.change.table === 'contact_phone')).toHaveLength(150);
    expect(store.lookup.caller('+49 30 5000049').contact?.name).toBe('Fünfzig');
  });

  it('exports a large selection in slices, giving the event loop turns, in name order with every number', async () => {
    const { store } = openStore();
    const rows = Array.from({ length: 2_600 }, (_, i) => `Kunde ${String(2_599 - i).padStart(4, '0')},030 ${4_000_000 + i}`);
    await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: `name,phone\n${rows.join('\n')}\n` });
    const [gone] = store.contacts.list('t1', 0, 1).items;
    store.contacts.delete(gone!.id);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const exporting = store.exportVcard({});
    const { text, count } = await exporting;
    clearInterval(timer);
    expect(turns).toBeGreaterThan(0);
    expect(count).toBe(2_599);
    const names = [...text.matchAll(/^FN:(.*)\r$/gm)].map((m) => m[1]);
    expect(names[0]).toBe('Kunde 0001');
    expect(names.at(-1)).toBe('Kunde 2599');
    expect(text.match(/^TEL;/gm)).toHaveLength(2_599);
    expect(text).toContain('FN:Kunde 1234\r\nTEL;VALUE=uri;TYPE=work:tel:+49304001365\r\n');
  });

  it('exports vCard 4.0 that imports back to the same contacts', async () => {
    const { store } = openStore();
    await store.import({ tenant: 't1', format: 'vcard', csvProfile: 'auto', path: fixture('contacts-3.0.vcf') });
    const { text, count } = await store.exportVcard({ tenant: 't1' });
    expect(count).toBe(4);
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(text).toContain('TEL;VALUE=uri;TYPE=cell:tel:+491711234567');
    const { store: other } = openStore();
    const back = await other.import({ tenant: 't1', format: 'vcard', csvProfile: 'auto', text });
    expect(back).toMatchObject({ imported: 4, failed: 0 });
    const names = (s: typeof store) =>
      s.contacts.list(undefined, 0, 10).items.map((c) => [c.name, c.company, c.notes, c.phones.map((p) => p.number)]);
    const original = names(store).map(([n, c, no, p]) => [n, c, no, (p as string[]).length]);
    expect(names(other).map(([n, c, no, p]) => [n, c, no, (p as string[]).length])).toEqual(original);
    expect(toVcard(store.contacts.list(undefined, 0, 1).items[0]!)).toMatch(/^BEGIN:VCARD\r\nVERSION:4.0\r\n/);
  });
});
