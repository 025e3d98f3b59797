import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium, screenshot, watchPageErrors } from '../../helpers/chromium.js';
import { seedProfile } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

/**
 * One app instance (browser shell, real SQLite store): book through the agenda's booking form and
 * see it in the agenda. The PC runs in New York time on purpose: the times shown and stored must
 * still be Berlin wall-clock times.
 */
describe('booking and the agenda in Chromium', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  let page: Page;
  let errors: string[];
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-agenda-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    seedProfile(profile);
    browser = await launchChromium();
    shell = await startShell(profile);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'America/New_York',
      acceptDownloads: true,
    });
    page = await context.newPage();
    errors = watchPageErrors(page);
    await page.goto(shell.url);
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).waitFor();
    await page.getByRole('button', { name: 'Später einrichten' }).click();
    await page.getByRole('link', { name: 'Termine' }).click();
    await page.getByTestId('view-agenda').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
  });

  it('books a winter appointment in Berlin time, shows it highlighted, warns about an overlap, exports .ics', async () => {
    const view = page.getByTestId('view-agenda');
    await view.getByLabel('Firma (Mandant)').selectOption('schreinerei');
    await view.getByLabel('Gehe zu Datum').fill('2026-01-13');
    await expect.poll(() => page.getByTestId('agenda-period').textContent()).toContain('12. Januar 2026');

    await page.getByRole('button', { name: 'Neuer Termin' }).click();
    const form = page.getByTestId('booking-form');
    await form.getByLabel('Datum').fill('2026-01-13');
    await form.getByLabel('Uhrzeit').fill('10:00');
    // Tuesday: the firm's consultation hours "Di 8–12, Do 14–18" are shown with the day's slots
    expect(await form.textContent()).toContain('Sprechzeiten: Di 8–12, Do 14–18');
    await form.getByLabel('Betreff').fill('Aufmaß Küche');
    await form.getByLabel('Ort').fill('Hauptstraße 1, 10115 Berlin');
    await form.getByRole('button', { name: 'Termin buchen' }).click();

    const item = page.getByTestId('agenda-item').filter({ hasText: 'Aufmaß Küche' });
    await item.waitFor();
    expect(await item.textContent()).toContain('10:00–11:00');
    expect(await item.getAttribute('class')).toContain('new');
    expect(await page.locator('[data-day="2026-01-13"]').textContent()).toContain('Aufmaß Küche');

    // exported file carries the UTC instant: 10:00 Berlin in January = 09:00Z
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: 'Als .ics speichern' }).click(),
    ]);
    const ics = readFileSync(await download.path(), 'utf8');
    expect(ics).toContain('DTSTART:20260113T090000Z');
    expect(ics).toContain('SUMMARY:Aufmaß Küche');

    // an overlapping booking is warned about and needs an explicit "book anyway"
    await page.getByRole('button', { name: 'Neuer Termin' }).click();
    await form.getByLabel('Datum').fill('2026-01-13');
    await form.getByLabel('Uhrzeit').fill('10:30');
    await form.getByTestId('booking-overlap').waitFor();
    expect(await form.getByTestId('booking-overlap').textContent()).toContain('Aufmaß Küche');
    const submit = form.getByRole('button', { name: 'Termin buchen' });
    expect(await submit.isDisabled()).toBe(true);
    await form.getByLabel('Trotzdem buchen').check();
    expect(await submit.isDisabled()).toBe(false);
    await page.getByRole('button', { name: 'Schließen' }).click();

    await page.getByRole('button', { name: 'Alle als gesehen markieren' }).click();
    await expect.poll(() => item.getAttribute('class')).not.toContain('new');
    expect(errors).toEqual([]);
  });

  it('books a summer appointment and shows the print layout', async () => {
    const view = page.getByTestId('view-agenda');
    await view.getByLabel('Gehe zu Datum').fill('2026-07-14');
    await page.getByRole('button', { name: 'Neuer Termin' }).click();
    const form = page.getByTestId('booking-form');
    await form.getByLabel('Datum').fill('2026-07-14');
    await form.getByLabel('Uhrzeit').fill('10:00');
    await form.getByLabel('Dauer').selectOption('90');
    await form.getByLabel('Betreff').fill('Montage Einbauschrank');
    await form.getByRole('button', { name: 'Termin buchen' }).click();
    const item = page.getByTestId('agenda-item').filter({ hasText: 'Montage Einbauschrank' });
    await item.waitFor();
    expect(await item.textContent()).toContain('10:00–11:30');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: 'Als .ics speichern' }).click(),
    ]);
    expect(readFileSync(await download.path(), 'utf8')).toContain('DTSTART:20260714T080000Z');

    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Hauptnavigation' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Neuer Termin' }).isVisible()).toBe(false);
    expect(await item.isVisible()).toBe(true);
    await screenshot(page, 'agenda-print');
    await page.emulateMedia({ media: 'screen' });
    await screenshot(page, 'agenda-week');
    expect(errors).toEqual([]);
  });
});
