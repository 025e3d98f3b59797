import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportRowReason, type ImportRowError } from '../../../../../../protocol/index.js';
import { importRowText } from '../../../../../../renderer/src/lib/contacts/import-rows.js';
import { openStore } from '../../../../../helpers/unit-store.js';
import { REPO_ROOT } from '../../../../../helpers/repo-root.js';

const messages = (lang: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'renderer/src/lib/i18n/messages', `${lang}.json`), 'utf8')) as {
    contacts: Record<string, string> & { importRow: Record<string, string> };
  };

/** Looks the message up in the German file and fills `{name}` arguments: enough to read the sentence. */
function german(id: string, options?: { values?: Record<string, string | number> }): string {
  const [, ...path] = id.split('.');
  const contacts = messages('de').contacts;
  const text = path.length === 2 ? contacts.importRow[path[1]!] : contacts[path[0]!];
  if (text === undefined) throw new Error(`no message ${id}`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(options?.values?.[name] ?? `{${name}}`));
}

describe('refused import rows in the UI', () => {
  it('every reason has a German and an English sentence with the same arguments', () => {
    for (const reason of ImportRowReason.options) {
      const de = messages('de').contacts.importRow[reason];
      const en = messages('en').contacts.importRow[reason];
      expect(de, reason).toBeTypeOf('string');
      expect(en, reason).toBeTypeOf('string');
      const args = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(args(de!)).toEqual(args(en!));
    }
  });

  it('says in German why each row of a messy file was refused, naming the field', async () => {
    const { store } = openStore();
    const text = [
      'name,company,notes,phone',
      'Gut,A,,030 1',
      ',,,',
      `Lang,${'x'.repeat(501)},,`,
      `Notiz,,${'ü'.repeat(40_000)},`,
      'Zu,wenig',
    ].join('\n');
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text });
    const shown = report.errors.map((row: ImportRowError) => `${row.line}: ${importRowText(row, german)}`);
    expect(shown).toEqual([
      '3: Der Eintrag hat weder Namen noch Firma noch E-Mail-Adresse.',
      '4: „Firma“ ist länger als 500 Zeichen.',
      '5: „Bemerkungen“ ist größer als 65536 Byte.',
      '6: Die Zeile hat 2 Spalten, die Kopfzeile 4.',
    ]);
    // The English text stays with the row for the log.
    expect(report.errors[1]).toMatchObject({
      reason: 'too_long',
      field: 'company',
      message: 'company is longer than 500 characters',
    });
  });
});
