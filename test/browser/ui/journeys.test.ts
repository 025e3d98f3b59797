import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium, watchPageErrors } from '../../helpers/chromium.js';
import { seedProfile, type SeededProfile } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

describe('the teleworker desk in Chromium (browser shell, real store)', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  let page: Page;
  let errors: string[];
  let seeded: SeededProfile;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-ui-'));
  /** The contact results, not the <option>s of the filter selects. */
  const results = () => page.getByRole('listbox', { name: 'Suchergebnisse' }).getByRole('option');

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    seeded = seedProfile(profile, 60);
    browser = await launchChromium();
    shell = await startShell(profile);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    errors = watchPageErrors(page);
    await page.goto(shell.url);
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).waitFor();
    // No identity in this profile: onboarding comes first and can be put off.
    await page.getByRole('heading', { level: 1, name: 'Zugang einrichten' }).waitFor();
    await page.getByRole('button', { name: 'Später einrichten' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
  });

  it('contacts: pages, search as you type with keyboard, details, edit of every field, delete and undo', async () => {
    await page.keyboard.press('Alt+2');
    await page.getByRole('heading', { level: 1, name: 'Kontakte' }).waitFor();
    // 63 contacts, 50 per page.
    await expect.poll(() => results().count()).toBe(50);
    await page.getByText('Seite 1 von 2').waitFor();
    await page.getByRole('button', { name: 'Weiter' }).click();
    await expect.poll(() => results().count()).toBe(13);

    // "/" focuses the search; typing narrows the list without pressing Enter (folded: "moller" finds "Möller").
    await page.getByRole('heading', { level: 1 }).click();
    await page.keyboard.press('/');
    await page.keyboard.type('moller');
    await expect.poll(() => results().allTextContents()).toEqual([expect.stringContaining('Jürgen Möller')]);
    await page.getByRole('searchbox').fill('');
    await page.getByRole('searchbox').pressSequentially('bäck');
    await expect.poll(() => results().allTextContents()).toEqual([expect.stringContaining('Anna Bäcker')]);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('option');
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('contact-detail');
    await detail.getByRole('heading', { name: 'Anna Bäcker' }).waitFor();
    expect(await detail.getByRole('button', { name: /anrufen/ }).count()).toBe(2);

    // Edit: every text field, one number changed, one removed, one added.
    await detail.getByRole('button', { name: 'Bearbeiten' }).click();
    const form = page.getByTestId('contact-form');
    await form.getByLabel('Name', { exact: true }).fill('Anna Becker-Bäcker');
    await form.getByLabel('Firma', { exact: true }).fill('Backstube Becker');
    await form.getByLabel('E-Mail').fill('anna.becker@example.org');
    await form.getByLabel('Straße').fill('Lindenstraße 5');
    await form.getByLabel('PLZ').fill('10969');
    await form.getByLabel('Ort').fill('Berlin-Kreuzberg');
    await form.getByLabel('Bemerkungen').fill('Nur vormittags anrufen.');
    await form.getByLabel('Telefonnummer 1').fill('0151 99999999');
    await form.getByRole('button', { name: 'Nummer 2 entfernen' }).click();
    await form.getByRole('button', { name: 'Nummer hinzufügen' }).click();
    await form.getByRole('combobox', { name: /^Art der Nummer 2/ }).selectOption('fax');
    await form.getByLabel('Telefonnummer 2').fill('030 7654321');
    await form.getByRole('button', { name: 'Speichern' }).click();
    await detail.getByRole('heading', { name: 'Anna Becker-Bäcker' }).waitFor();
    const text = await detail.textContent();
    for (const expected of [
      'Backstube Becker',
      'anna.becker@example.org',
      'Lindenstraße 5, 10969 Berlin-Kreuzberg',
      'Nur vormittags anrufen.',
      '0151 99999999',
      'Fax',
      '030 7654321',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('030 1234567');

    // The edit is in the store: a reload shows it, and the new name is searchable.
    await page.reload();
    await page.getByRole('searchbox').fill('Backstube');
    await expect.poll(() => results().allTextContents()).toEqual([expect.stringContaining('Anna Becker-Bäcker')]);

    // Delete asks first; undo brings the contact back with its numbers.
    await results().first().click();
    await detail.getByRole('button', { name: 'Löschen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Kontakt löschen?' });
    await dialog.getByRole('button', { name: 'Löschen' }).click();
    await page.getByText('„Anna Becker-Bäcker“ wurde gelöscht.').waitFor();
    await expect.poll(() => results().count()).toBe(0);
    await page.getByRole('button', { name: 'Rückgängig' }).click();
    await detail.getByRole('heading', { name: 'Anna Becker-Bäcker' }).waitFor();
    expect(await detail.textContent()).toContain('030 7654321');
    expect(errors).toEqual([]);
  });

  it('contacts: a CSV import shows progress and names the bad rows by line', async () => {
    const csv = join(profile, 'import.csv');
    writeFileSync(
      csv,
      'name,company,email,phone\nErika Muster,Muster AG,erika@example.org,030 111222\n,,,\nOtto Normal,,otto@example.org,0170 3334444\n' +
        `Lang,${'x'.repeat(501)},,\n`,
    );
    await page.getByRole('searchbox').fill('');
    await page.getByRole('button', { name: 'Importieren' }).click();
    const panel = page.getByTestId('import-panel');
    await panel.getByRole('combobox', { name: /^Firma \(Mandant\)/ }).selectOption('elektro');
    await panel.getByLabel('Datei').setInputFiles(csv);
    await panel.getByRole('button', { name: 'Import starten' }).click();
    const report = panel.getByTestId('import-report');
    await report.waitFor();
    expect(await report.textContent()).toMatch(/2 importiert, 2 fehlerhaft/);
    // Why, in German (the English reasons go to the log only).
    expect(await report.getByRole('listitem').allTextContents()).toEqual([
      'Zeile 3: Der Eintrag hat weder Namen noch Firma noch E-Mail-Adresse.',
      'Zeile 5: „Firma“ ist länger als 500 Zeichen.',
    ]);
    expect(await panel.locator('progress').getAttribute('value')).toBe('4');
    await page.getByRole('searchbox').fill('Erika');
    await expect.poll(() => results().allTextContents()).toEqual([expect.stringContaining('Erika Muster')]);
  });

  it('history: missed filter, and the linked note opens from a call', async () => {
    await page.keyboard.press('Alt+4');
    await page.getByRole('heading', { level: 1, name: 'Verlauf' }).waitFor();
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(2);
    await page.getByLabel('Nur verpasste Anrufe').check();
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(1);
    expect(await page.getByTestId('call-row').textContent()).toContain('verpasst');
    await page.getByLabel('Nur verpasste Anrufe').uncheck();
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(2);
    await page.getByRole('button', { name: 'Notiz öffnen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Notizen' }).waitFor();
    const focused = page.locator(`[data-note-id="${seeded.notes[0]!.id}"]`);
    await expect.poll(() => focused.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('notes: filter by firm and status, assign, mark done; done notes leave the open list', async () => {
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('open');
    await expect.poll(() => page.getByTestId('note').count()).toBe(2);
    await page.getByRole('combobox', { name: /^Firma \(Mandant\)/ }).selectOption('schreinerei');
    await expect.poll(() => page.getByTestId('note').count()).toBe(1);
    const note = page.getByTestId('note').first();
    await note.getByRole('button', { name: 'Zuweisen' }).click();
    await note.getByLabel('Zuweisen an').fill('meister');
    await note.getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => note.textContent()).toContain('meister');
    await page.getByRole('combobox', { name: /^Firma \(Mandant\)/ }).selectOption('');
    await page.getByLabel('Zuständig').fill('meister');
    await expect.poll(() => page.getByTestId('note').count()).toBe(2);
    await page.getByLabel('Zuständig').fill('');
    await page.getByTestId('note').filter({ hasText: 'Küchenfront' }).getByRole('button', { name: 'Erledigt' }).click();
    await expect.poll(() => page.getByTestId('note').count()).toBe(1);
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('done');
    await expect.poll(() => page.getByTestId('note').allTextContents()).toEqual([expect.stringContaining('Küchenfront')]);
    expect(errors).toEqual([]);
  });

  it('help overlay opens with "?" and closes with Escape; without an identity the status bar says "Nicht eingerichtet"', async () => {
    await page.getByRole('heading', { level: 1 }).click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Tastenkürzel' });
    await help.waitFor();
    expect(await help.textContent()).toContain('Alt+1 … Alt+9');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    const bar = page.getByTestId('status-bar');
    expect(await bar.textContent()).toContain('Nicht eingerichtet');
    expect(await bar.textContent()).not.toContain('Telefonanlage');
    await page.keyboard.press('Alt+5');
    await page.getByRole('radio', { name: 'Nicht stören' }).check();
    expect(await page.getByRole('radio', { name: 'Nicht stören' }).isChecked()).toBe(true);
    expect(await bar.textContent()).not.toContain('Mein Status');
  });

  it('settings: audio devices, ringtone, theme and desktop options survive a restart', async () => {
    await page.keyboard.press('Alt+6');
    const audio = page.getByTestId('audio-settings');
    await audio.waitFor();
    // Chromium's fake devices: allow once, then the names appear and the meter moves.
    await audio.getByRole('button', { name: 'Mikrofon testen' }).click();
    await expect
      .poll(async () => Number(await page.getByTestId('mic-level').getAttribute('value')), { timeout: 5000 })
      .toBeGreaterThan(0);
    await audio.getByRole('button', { name: 'Test beenden' }).click();
    await expect
      .poll(() =>
        audio
          .getByRole('combobox', { name: /^Mikrofon/ })
          .locator('option')
          .count(),
      )
      .toBeGreaterThan(1);
    const mics = await audio
      .getByRole('combobox', { name: /^Mikrofon/ })
      .locator('option')
      .all();
    expect(mics.length).toBeGreaterThan(1);
    const micId = await mics[1]!.getAttribute('value');
    await audio.getByRole('combobox', { name: /^Mikrofon/ }).selectOption(micId);
    await audio.getByRole('combobox', { name: /^Klingelton/ }).selectOption('quiet');
    await audio.getByRole('button', { name: 'Testton abspielen' }).click();
    await audio.getByRole('button', { name: 'Testton abspielen' }).waitFor();
    expect(await audio.getByText('konnte auf diesem Gerät nicht abgespielt werden').count()).toBe(0);
    await page.getByRole('radio', { name: 'Dunkel' }).check();
    await page.getByLabel('Benachrichtigungen bei Anrufen').uncheck();
    await page.getByRole('combobox', { name: /^Updates/ }).selectOption('beta');
    await expect
      .poll(() => JSON.parse(readFileSync(join(profile, 'settings.json'), 'utf8')) as unknown)
      .toMatchObject({ audioMicrophone: micId, ringtone: 'quiet', theme: 'dark', notifications: false, updateChannel: 'beta' });

    await shell!.stop();
    shell = await startShell(profile);
    await page.goto(shell.url);
    errors.length = 0;
    await page.getByRole('link', { name: 'Einstellungen' }).click();
    await page
      .getByTestId('audio-settings')
      .getByRole('combobox', { name: /^Klingelton/ })
      .waitFor();
    expect(
      await page
        .getByTestId('audio-settings')
        .getByRole('combobox', { name: /^Klingelton/ })
        .inputValue(),
    ).toBe('quiet');
    expect(await page.getByRole('radio', { name: 'Dunkel' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Benachrichtigungen bei Anrufen').isChecked()).toBe(false);
    expect(await page.getByRole('combobox', { name: /^Updates/ }).inputValue()).toBe('beta');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(errors).toEqual([]);
  });
});
