import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { DEFAULT_TENANTS } from '../../helpers/pki.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

const FIRM = 'Tischlerei Holzwurm';
const FIRM_NUMBER = '+492211234567';
const GREETING = 'Tischlerei Holzwurm, guten Tag, Sie sprechen mit Anna Schmidt.';
const HOURS = 'Di 8–12, Do 14–18';
const CALLER = '+4917612345678';
/** A Tuesday within the firm's consultation hours. */
const DAY = '2027-03-09';
/** The same day as typed in the app's German date fields. */
const DAY_DE = '09.03.2027';

/**
 * The desk's central promise, rendered: an outside caller (baresip on UDP) rings the joinery's
 * number through the real Kamailio and rtpengine; the teleworker's app (browser shell, its own
 * profile and certificate), open on her notes, shows the call card over them — firm, greeting, hours, who calls and the last notes
 * about them — she answers by keyboard, writes a callback note on the card and books an appointment
 * from it; the craftsman's own app instance sees the note live, marks it done (she sees it done),
 * and finds the appointment highlighted in his agenda. Everything through the real sync server.
 */
describe('the call-card journey against the real stack', () => {
  let rig: DeskRig;
  let caller: Baresip;
  const desk = (user: 'anna' | 'max', view: string) =>
    rig.desk(user, view, { viewport: { width: 1280, height: 900 }, bypassCSP: true });

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig({
      pki: { tenants: DEFAULT_TENANTS.map((t) => (t.id === 'tischlerei' ? { ...t, greeting: GREETING, hours: HOURS } : t)) },
    });
    caller = await startBaresip({ user: CALLER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
  }, 60_000);
  afterAll(async () => {
    await caller?.stop();
    await rig?.stop();
  });

  it('rings, shows who calls for whom, takes a callback note the craftsman closes live, books his appointment', async () => {
    // Neither opens the phone screen: calls must reach a desk whatever screen it shows.
    const [anna, max] = await Promise.all([desk('anna', 'notes'), desk('max', 'agenda')]);
    // The craftsman has looked at his agenda for that week before: what arrives later is new to him.
    await max.page.getByTestId('view-agenda').getByLabel('Gehe zu Datum').fill(DAY_DE);
    await max.page.locator(`[data-day="${DAY}"]`).waitFor();
    // His agenda is titled with his firm's name, not its id.
    expect(await max.page.getByRole('heading', { level: 1 }).textContent()).toBe(`Termine ${FIRM}`);
    await max.page.keyboard.press('Alt+3');
    await max.page.getByTestId('view-notes').waitFor();

    // What the office already knows about this caller (written at anna's desk, synced like any edit).
    const contact = (await invokeInPage(anna.page, 'contacts.create', {
      tenant: 'tischlerei',
      name: 'Frieda Meier',
      company: 'Meier Immobilien GmbH',
      street: 'Lindenallee 5',
      postal_code: '50667',
      city: 'Köln',
      phones: [{ kind: 'mobile', number: '0176 12345678' }],
    })) as { ok: boolean; value: { id: string } };
    expect(contact.ok).toBe(true);
    const earlierNote = (await invokeInPage(anna.page, 'notes.create', {
      tenant: 'tischlerei',
      contact_id: contact.value.id,
      subject: 'Angebot Eichentreppe',
      body: 'Wartet auf das Angebot.',
    })) as { value: { id: string } };
    for (const { page } of [anna, max]) {
      await expect
        .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('registered');
    }
    expect(await anna.page.getByTestId('status-phone').textContent()).toContain('Telefon: erreichbar');

    // The firms (name, numbers, greeting, hours) reach a fresh desk with its first sync pull; on this
    // loaded machine a call can beat it, and the card then knows the caller but not the firm.
    await expect
      .poll(
        async () => {
          const firms = (await invokeInPage(anna.page, 'tenants.list', null)) as {
            value?: { tenant: string; hours: string | null }[];
          };
          return firms.value?.find((f) => f.tenant === 'tischlerei')?.hours;
        },
        { timeout: 20_000 },
      )
      .toBe(HOURS);

    const mark = caller.events.length;
    await caller.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = anna.page.getByRole('article', { name: `Anruf für ${FIRM}` });
    await card.waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
      // What the caller and the desk saw, for a failure far from here (PBX, registration, engine).
      const seen = caller.events.slice(mark).map((e) => `${e.type} ${e.param ?? ''}`);
      const bar = await anna.page.getByTestId('status-bar').textContent();
      const firms = JSON.stringify(await invokeInPage(anna.page, 'tenants.list', null));
      const cards = async (page: Page) => (await page.getByTestId('call-card').allTextContents()).join(' | ');
      throw new Error(
        `no call card: caller saw [${seen.join('; ')}], status bar: ${bar}; cards at anna: ${await cards(anna.page)}; at max: ${await cards(max.page)}; firms at anna: ${firms}; anna's errors: ${anna.errors.join('; ')}`,
        { cause: error },
      );
    });
    expect(await card.getByRole('status').first().textContent()).toContain('Klingelt');
    const text = await card.textContent();
    expect(text).toContain(GREETING);
    expect(text).toContain(HOURS);
    const callerLine = card.getByTestId('caller');
    expect(await callerLine.textContent()).toContain('Frieda Meier');
    expect(await callerLine.textContent()).toContain('Meier Immobilien GmbH');
    const lastNotes = card.getByRole('list', { name: 'Letzte Notizen' });
    await expect.poll(() => lastNotes.textContent()).toContain('Angebot Eichentreppe');
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(anna.page, 'journey-call-card-ringing');

    // Answered from the keyboard, as she would with the headset on.
    expect(await card.getByRole('button', { name: 'Annehmen' }).getAttribute('aria-keyshortcuts')).toBe('Alt+A');
    await anna.page.keyboard.press('Alt+A');
    await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    await expect.poll(() => card.getByRole('status').first().textContent()).toContain('Verbunden');
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);

    // The note on the card, with a callback; saved as she types — no save button.
    await card.getByLabel('Anliegen').pressSequentially('Treppe knarzt, bitte Termin zum Nachsehen.');
    await card.getByRole('checkbox', { name: 'Rückruf erbeten' }).check();
    expect(await card.getByLabel('Rückrufnummer').inputValue()).toBe(CALLER);
    await expect.poll(() => card.getByText('Gespeichert').count(), { timeout: 5000 }).toBe(1);
    await screenshot(anna.page, 'journey-call-card-connected');
    // The card's own note is in the form, not repeated under "Letzte Notizen".
    expect(await lastNotes.textContent()).not.toContain('Treppe knarzt');
    // The craftsman closes the earlier note at his desk: the card says so while the call is still up.
    // Each step waited for on its own, so a failure says whether sync or the card fell behind.
    const noteStatus = async (page: Page) =>
      ((await invokeInPage(page, 'notes.get', { id: earlierNote.value.id })) as { value?: { status: string } }).value?.status;
    await expect.poll(() => noteStatus(max.page), { timeout: 20_000 }).toBe('open');
    expect(await invokeInPage(max.page, 'notes.update', { id: earlierNote.value.id, patch: { status: 'done' } })).toMatchObject({
      ok: true,
    });
    await expect.poll(() => noteStatus(anna.page), { timeout: 20_000 }).toBe('done');
    await expect.poll(() => lastNotes.textContent(), { timeout: 5000 }).toMatch(/Angebot Eichentreppe.*\(erledigt\)/s);

    const atMax = max.page.getByTestId('note').filter({ hasText: 'Treppe knarzt' });
    await atMax.waitFor({ timeout: 10_000 });
    // The callback number as Germans write it.
    expect(await atMax.textContent()).toContain('+49 176 12345678');
    await atMax.getByRole('button', { name: 'Erledigt', exact: true }).click();
    await expect.poll(() => atMax.count()).toBe(0);
    await max.page.keyboard.press('Alt+7');
    const agendaDay = max.page.locator(`[data-day="${DAY}"]`);
    await agendaDay.waitFor();

    // Still on the phone: an appointment from the card, at the caller's address, linked to this call.
    await anna.page.keyboard.press('Alt+B');
    const form = card.getByTestId('booking-form');
    await form.waitFor();
    expect(await form.textContent()).toContain(`Sprechzeiten: ${HOURS}`);
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    await form.getByLabel('Datum', { exact: true }).fill(DAY_DE);
    await form.getByLabel('Uhrzeit').fill('10:00');
    await form.getByLabel('Betreff').fill('Treppe ansehen');
    await expect.poll(() => form.getByLabel('Ort').inputValue()).toBe('Lindenallee 5, 50667 Köln');
    await form.getByRole('button', { name: 'Termin buchen' }).click();
    await expect
      .poll(() => card.getByTestId('call-booked').textContent())
      .toMatch(/^Termin gebucht: Treppe ansehen – [A-Z][a-z]+, \d{1,2}\. \S+ \d{4}, \d{1,2}:\d{2} Uhr$/);
    const [callRecord] = (
      (await invokeInPage(anna.page, 'calls.list', { tenant: 'tischlerei', limit: 1 })) as {
        value: { id: string; remote_number: string }[];
      }
    ).value;
    expect(callRecord?.remote_number).toBe(CALLER);
    const booked = (
      (await invokeInPage(anna.page, 'appointments.list', { tenant: 'tischlerei', limit: 10 })) as {
        value: { subject: string; call_id: string | null; contact_id: string | null; starts_at: string }[];
      }
    ).value;
    expect(booked).toEqual([
      expect.objectContaining({
        subject: 'Treppe ansehen',
        call_id: callRecord!.id,
        contact_id: contact.value.id,
        starts_at: '2027-03-09T09:00:00.000Z',
      }),
    ]);

    // …and in the craftsman's agenda moments later, marked as new.
    const item = agendaDay.getByTestId('agenda-item').filter({ hasText: 'Treppe ansehen' });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toContain('10:00–11:00');
    expect(await item.textContent()).toContain('Lindenallee 5, 50667 Köln');
    expect(await item.getAttribute('class')).toContain('new');
    await max.page.emulateMedia({ media: 'print' });
    expect(await max.page.getByRole('navigation', { name: 'Hauptnavigation' }).isVisible()).toBe(false);
    expect(await item.isVisible()).toBe(true);
    await screenshot(max.page, 'journey-agenda-print');
    await max.page.emulateMedia({ media: 'screen' });

    await anna.page.keyboard.press('Alt+E');
    await caller.waitForEvent('CALL_CLOSED', 8000, mark);
    // The card was shown over her notes screen all along.
    expect(await anna.page.getByTestId('view-notes').isVisible()).toBe(true);
    await anna.page.getByRole('combobox', { name: /^Status/ }).selectOption('all');
    const atAnna = anna.page.getByTestId('note').filter({ hasText: 'Treppe knarzt' });
    await expect.poll(() => atAnna.locator('.badge').textContent(), { timeout: 10_000 }).toBe('erledigt');
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 90_000);
});
