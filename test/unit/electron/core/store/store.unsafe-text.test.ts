import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../../../electron/core/composition.js';
import de from '../../../../../renderer/src/lib/i18n/messages/de.json';

const ctx = { origin: 'test' };
const newCore = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-text-'));
  return { dir, core: createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' }) };
};

/**
 * The app's own write path refuses, at the host API, text the server, the exports or the feed
 * could not keep faithfully — with a code the UI says in German and the field at fault — and
 * writes nothing of that call; line breaks are taken as LF.
 */
describe('text the store cannot keep faithfully', () => {
  it.each([
    ['NUL', 'Rückruf\u0000bitte'],
    ['a lone surrogate', 'aus dem PDF \ud800'],
    ['a control character', 'Escape \u001b[0m'],
    ['DEL', 'x\u007f'],
    ['a noncharacter', '\uffff'],
  ])('refuses %s with invalid_characters naming the field, and writes nothing', async (_what, bad) => {
    const { core } = newCore();
    const refused = await core.dispatch('notes.create', { tenant: 'tischlerei', subject: 'Betreff', body: bad }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_characters', field: 'body' } });
    expect(await core.dispatch('notes.list', { tenant: 'tischlerei' }, ctx)).toMatchObject({ ok: true, value: [] });
    expect(await core.dispatch('store.status', undefined, ctx)).toMatchObject({ ok: true, value: { pendingChanges: 0 } });

    const note = await core.dispatch('notes.create', { tenant: 'tischlerei', subject: 'Betreff', body: 'gut' }, ctx);
    if (!note.ok) throw new Error(note.error.message);
    const { id } = note.value as { id: string };
    const update = await core.dispatch('notes.update', { id, patch: { subject: 'neu', body: bad } }, ctx);
    expect(update).toMatchObject({ ok: false, error: { code: 'invalid_characters', field: 'body' } });
    // the other field of the same call was not written either
    expect(await core.dispatch('notes.get', { id }, ctx)).toMatchObject({ ok: true, value: { subject: 'Betreff', body: 'gut' } });
    const contact = await core.dispatch('contacts.create', { tenant: 'tischlerei', name: `Frau ${bad}` }, ctx);
    expect(contact).toMatchObject({ ok: false, error: { code: 'invalid_characters', field: 'name' } });
    await core.close();
  });

  it('has a German sentence for the refusal that names the field', () => {
    expect(de.errors.invalid_characters).toContain('{field}');
    expect(de.errors.invalid_characters).toMatch(/Steuerzeichen/);
    expect(de.contacts.importRow.invalid_characters).toContain('{field}');
  });

  it('takes CR LF and lone CR as LF, keeps every other character exactly', async () => {
    const { core } = newCore();
    const body = 'Zeile 1\r\nZeile 2\rZeile 3\n\tTab 😀 𝄞 \u00a0 \u0085 \ufeff';
    const note = await core.dispatch('notes.create', { tenant: 'tischlerei', body }, ctx);
    expect(note).toMatchObject({ ok: true, value: { body: 'Zeile 1\nZeile 2\nZeile 3\n\tTab 😀 𝄞 \u00a0 \u0085 \ufeff' } });
    await core.close();
  });

  it('refuses an imported row with such a character by its own reason, and imports the others', async () => {
    const { core, dir } = newCore();
    const text = 'name,company\nGut,A\n"Schlecht\u0001",B\n"Zwei\r\nZeilen",C\n';
    const result = await core.dispatch('store.import', { tenant: 't1', format: 'csv', csvProfile: 'generic', text }, ctx);
    expect(result).toMatchObject({
      ok: true,
      value: { imported: 2, failed: 1, errors: [{ line: 3, reason: 'invalid_characters', field: 'name' }] },
    });
    const list = await core.dispatch('contacts.list', { tenant: 't1' }, ctx);
    expect((list as { value: { items: { name: string }[] } }).value.items.map((c) => c.name).sort()).toEqual([
      'Gut',
      'Zwei\nZeilen',
    ]);
    await core.close();
    expect(readFileSync(join(dir, 'logs', 'vermittlung.log'), 'utf8')).toContain('control character U+0001');
  });
});
