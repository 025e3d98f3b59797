import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium, screenshot, watchPageErrors } from '../../helpers/chromium.js';
import { invokeInPage, seedProfile, seriousAxeViolations, type SeededProfile } from '../../helpers/ui.js';

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
  let seeded: SeededProfile;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    seeded = seedProfile(profile);
    browser = await launchChromium();
    shell = await startShell(profile);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'America/New_York',
      // A US browser locale: <input type=date> would show mm/dd/yyyy; the app's own German entry must not.
      locale: 'en-US',
      acceptDownloads: true,
      bypassCSP: true,
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
    await view.getByLabel('Gehe zu Datum').fill('13.01.2026');
    await expect.poll(() => page.getByTestId('agenda-period').textContent()).toContain('12. Januar 2026');

    await page.getByRole('button', { name: 'Neuer Termin' }).click();
    const form = page.getByTestId('booking-form');
    await form.getByLabel('Datum', { exact: true }).fill('13.01.2026');
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
    await form.getByLabel('Datum', { exact: true }).fill('13.01.2026');
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
    await view.getByLabel('Gehe zu Datum').fill('14.07.2026');
    await page.getByRole('button', { name: 'Neuer Termin' }).click();
    const form = page.getByTestId('booking-form');
    await form.getByLabel('Datum', { exact: true }).fill('14.07.2026');
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

  it('defaults to a time not yet past, takes German dates only, reads the booking back, jumps to it with name and phone', async () => {
    const view = page.getByTestId('view-agenda');
    await view.getByLabel('Firma (Mandant)').selectOption('schreinerei');
    await view.getByRole('button', { name: 'Heute' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Termine Schreinerei Müller');

    await page.getByRole('button', { name: 'Neuer Termin' }).click();
    const form = page.getByTestId('booking-form');
    const dateField = form.getByLabel('Datum', { exact: true });
    const timeField = form.getByLabel('Uhrzeit');
    expect(await dateField.getAttribute('type')).not.toBe('date');
    expect(await timeField.getAttribute('type')).not.toBe('time');
    // The default: a quarter hour still ahead, within the firm's hours "Di 8–12, Do 14–18" (Berlin time).
    const [d, mo, y] = (await dateField.inputValue()).split('.').map(Number) as [number, number, number];
    const [h, mi] = (await timeField.inputValue()).split(':').map(Number) as [number, number];
    expect([d, mo, y, h, mi].every(Number.isInteger)).toBe(true);
    expect(mi % 15).toBe(0);
    const weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
    const minute = h * 60 + mi;
    expect((weekday === 2 && minute >= 480 && minute < 720) || (weekday === 4 && minute >= 840 && minute < 1080)).toBe(true);
    // Berlin is UTC+1 or +2: even at +1 the start lies ahead of now.
    expect(Date.UTC(y, mo - 1, d, h, mi) - 3600_000).toBeGreaterThan(Date.now());

    // Bad input: a specific German message when the field is left, and nothing is booked.
    await dateField.fill('12/15/2026');
    await dateField.blur();
    const dateHint = form.getByText('Bitte ein Datum wie 15.12.2026 eingeben (TT.MM.JJJJ).');
    await dateHint.waitFor();
    expect(await dateField.getAttribute('aria-invalid')).toBe('true');
    await dateField.fill('31.02.2027');
    await dateField.blur();
    await dateHint.waitFor();
    await timeField.fill('25:00');
    await timeField.blur();
    await form.getByText('Bitte eine Uhrzeit wie 9:30 eingeben (HH:MM).').waitFor();
    expect(await seriousAxeViolations(page, '[data-testid="view-agenda"]')).toEqual([]);
    await form.getByRole('button', { name: 'Termin buchen' }).click();
    expect(await form.isVisible()).toBe(true);

    await dateField.fill('15.12.2026');
    await timeField.fill('9:30');
    await form.getByLabel('Betreff').fill('Fenster ausmessen');
    await form.getByRole('button', { name: 'Termin buchen' }).click();
    // Read back to the caller: weekday, date and time in words.
    await expect
      .poll(() => page.getByTestId('agenda-booked').textContent())
      .toBe('Gebucht: Dienstag, 15. Dezember 2026, 9:30 Uhr');
    // The agenda has jumped from this week to that day and shows the appointment highlighted.
    await expect.poll(() => page.getByTestId('agenda-period').textContent()).toContain('20. Dezember 2026');
    const item = page.locator('[data-day="2026-12-15"]').getByTestId('agenda-item').filter({ hasText: 'Fenster ausmessen' });
    await expect.poll(() => item.getAttribute('class')).toContain('focused');
    expect(await item.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await item.textContent()).toContain('09:30–10:30');
    expect(await item.isVisible()).toBe(true);

    // Booked for a customer (as from the call card, here through the host API): name and phone on the
    // appointment, and the agenda jumps to it as it arrives.
    const anna = seeded.contacts.find((c) => c.name === 'Anna Bäcker')!;
    expect(
      await invokeInPage(page, 'appointments.create', {
        tenant: 'schreinerei',
        starts_at: '2026-12-17T13:00:00.000Z',
        ends_at: '2026-12-17T14:00:00.000Z',
        subject: 'Küche ausmessen',
        contact_id: anna.id,
        status: 'planned',
      }),
    ).toMatchObject({ ok: true });
    const customer = page.getByTestId('agenda-item').filter({ hasText: 'Küche ausmessen' });
    await customer.waitFor({ timeout: 10_000 });
    expect(await customer.getByTestId('agenda-person').textContent()).toBe('Anna Bäcker, 0151 23456789');
    await expect.poll(() => customer.getAttribute('class')).toContain('focused');
    await screenshot(page, 'agenda-booked');

    // The "go to" field takes German dates too.
    await view.getByLabel('Gehe zu Datum').fill('02.03.2027');
    await expect.poll(() => page.getByTestId('agenda-period').textContent()).toContain('1. März 2027');
    await view.getByLabel('Gehe zu Datum').fill('2027-03-02');
    await view.getByLabel('Gehe zu Datum').blur();
    await view.getByText('Bitte ein Datum wie 15.12.2026 eingeben (TT.MM.JJJJ).').waitFor();
    expect(await seriousAxeViolations(page, '[data-testid="view-agenda"]')).toEqual([]);
    expect(errors).toEqual([]);
  });
});
