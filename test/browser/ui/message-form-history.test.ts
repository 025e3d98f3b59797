import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type Desk, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

const FIRM = 'Tischlerei Holzwurm';
const FIRM_NUMBER = '+492211234567';
const CUSTOMER = '+4917612345678';
/** The customer's number as Germans write it. */
const CUSTOMER_SHOWN = '+49 176 12345678';

/**
 * The answering service's two promises around a customer call, on the real stack with a baresip
 * customer: the message the teleworker takes on the call card reaches the craftsman's inbox with
 * everything on it (firm by name, caller, who took it, urgency, callback window), urgent first; and a
 * call she consults the craftsman about and then transfers to him is one history row — "weitergeleitet
 * an Max Holzwurm", the consultation inside it without a callback button, nothing left "läuft".
 */
describe('the message form and the call history of a customer call', () => {
  let rig: DeskRig;
  let customer: Baresip;
  let anna: Desk;
  let max: Desk;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig();
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
    const open = (user: 'anna' | 'max', view: string) =>
      rig.desk(user, view, { viewport: { width: 1280, height: 900 }, bypassCSP: true });
    [anna, max] = await Promise.all([open('anna', 'notes'), open('max', 'notes')]);
  }, 90_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  async function ringAndAnswer(page: Page): Promise<ReturnType<Page['getByTestId']>> {
    const mark = customer.events.length;
    await customer.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = page.getByTestId('call-card').filter({ hasText: CUSTOMER_SHOWN });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('connected');
    return card;
  }

  it('takes a message on the call card that the craftsman reads in full, urgent and due callbacks first', async () => {
    for (const { page } of [anna, max])
      await expect
        .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('registered');
    // The firm records reach a fresh desk with its first pull; the card needs them to know the firm.
    await expect
      .poll(
        async () => {
          const firms = (await invokeInPage(anna.page, 'tenants.list', null)) as { value?: { tenant: string }[] };
          return firms.value?.some((f) => f.tenant === 'tischlerei');
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const mark = customer.events.length;
    const card = await ringAndAnswer(anna.page);
    const form = card.getByRole('form', { name: 'Nachricht' });
    // The caller's number is on the form already; the unknown caller's name she types.
    expect(await form.getByLabel('Nummer des Anrufers').inputValue()).toBe(CUSTOMER_SHOWN);
    expect(await form.getByTestId('note-author').textContent()).toContain('Aufgenommen von Anna Schmidt');
    await form.getByLabel('Betreff').fill('Fenster klemmt');
    await form.getByLabel('Anliegen').fill('Das Küchenfenster lässt sich nicht mehr schließen, es regnet herein.');
    await form.getByRole('radio', { name: 'dringend' }).check();
    await form.getByLabel('Name des Anrufers').fill('Erika Mustermann');
    await form.getByRole('checkbox', { name: 'Rückruf erbeten' }).check();
    expect(await form.getByLabel('Rückrufnummer').inputValue()).toBe(CUSTOMER);
    await form.getByLabel('Rückruf bis').fill('15.12.2027 16 Uhr');
    expect(await form.getByTestId('callback-window').textContent()).toContain('Mi., 15.12. bis 16 Uhr');
    await expect.poll(() => card.getByText('Gespeichert').count(), { timeout: 5000 }).toBe(1);
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(anna.page, 'message-form-de-light');
    await anna.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, mark);

    // Written later but less pressing: a plain message (a concern, no subject) and a callback due earlier.
    const plain = (await invokeInPage(anna.page, 'notes.create', {
      tenant: 'tischlerei',
      body: 'Bitte das Angebot für die Eichentreppe schicken.\nFrau Meier, Lindenallee 5.',
    })) as { ok: boolean };
    expect(plain.ok).toBe(true);
    const due = (await invokeInPage(anna.page, 'notes.create', {
      tenant: 'tischlerei',
      subject: 'Rückfrage zur Rechnung',
      callback_requested: true,
      callback_number: '+49301234567',
      callback_due: '2027-12-10T09:00:00.000Z',
    })) as { ok: boolean };
    expect(due.ok).toBe(true);

    // At the craftsman's desk, by sync alone: urgent first, then the due callback, then the rest.
    const notes = max.page.getByTestId('note');
    await expect.poll(() => notes.count(), { timeout: 15_000 }).toBe(3);
    const headings = () => notes.locator('h3').allTextContents();
    await expect
      .poll(headings, { timeout: 10_000 })
      .toEqual(['Fenster klemmt', 'Rückfrage zur Rechnung', 'Bitte das Angebot für die Eichentreppe schicken.']);
    expect(await max.page.getByText('(ohne Betreff)').count()).toBe(0);
    const message = notes.first();
    expect(await message.getAttribute('data-urgency')).toBe('urgent');
    expect(await message.textContent()).toContain('dringend');
    expect(await message.textContent()).toContain('Das Küchenfenster lässt sich nicht mehr schließen');
    expect(await message.getByTestId('note-caller').textContent()).toBe(`Erika Mustermann · ${CUSTOMER_SHOWN}`);
    expect(await message.getByTestId('note-callback').textContent()).toMatch(
      new RegExp(`${CUSTOMER_SHOWN.replace(/\+/g, '\\+')}\\s*· Mi\\., 15\\.12\\. bis 16 Uhr`),
    );
    expect(await message.getByTestId('note-author').textContent()).toBe('Anna Schmidt');
    // The firm by its name, not its id.
    const group = max.page.getByRole('heading', { level: 2 }).filter({ hasText: FIRM });
    expect(await group.count()).toBe(1);
    expect(await max.page.getByRole('heading', { level: 2, name: /tischlerei/ }).count()).toBe(0);
    expect(await seriousAxeViolations(max.page, '[data-testid="view-notes"]')).toEqual([]);
    await screenshot(max.page, 'craftsman-inbox-de-light');
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 120_000);

  it('shows a consulted and transferred customer call as one row, forwarded to the craftsman', async () => {
    const card = await ringAndAnswer(anna.page);
    const status = card.getByRole('status').first();

    // Consultation: the customer waits while the craftsman is asked; then she goes back to him.
    const picker = card.getByRole('combobox', { name: 'Weiterleiten an' });
    await picker.fill('max');
    await card.getByRole('button', { name: 'Rückfrage' }).click();
    const panel = anna.page.getByTestId('consult-panel');
    await panel.waitFor({ timeout: 10_000 });
    const colleagueAtMax = max.page.getByTestId('call-card').filter({ hasText: 'Anna Schmidt' });
    await expect.poll(() => colleagueAtMax.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await expect
      .poll(() => panel.getByTestId('consult-customer').getByRole('status').textContent(), { timeout: 8000 })
      .toContain('Von Ihnen gehalten');
    await max.page.keyboard.press('Alt+A');
    await expect
      .poll(() => panel.getByTestId('consult-colleague').getByRole('status').textContent(), { timeout: 10_000 })
      .toBe('Verbunden');
    await panel.getByRole('button', { name: 'Zurück zum Kunden' }).click();
    await expect
      .poll(() => max.page.locator('[data-testid="call-card"]:not([data-status="ended"])').count(), { timeout: 10_000 })
      .toBe(0);
    await expect.poll(() => panel.count(), { timeout: 8000 }).toBe(0);
    await expect.poll(() => status.textContent(), { timeout: 8000 }).not.toContain('Von Ihnen gehalten');

    // The transfer (baresip follows a REFER, not a Replaces: a blind one after the consultation).
    await picker.fill('max');
    const beforeTransfer = customer.events.length;
    await card.getByRole('button', { name: 'Weiterleiten', exact: true }).click();
    const customerAtMax = max.page.getByTestId('call-card').filter({ hasText: CUSTOMER_SHOWN });
    await expect.poll(() => customerAtMax.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await max.page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, beforeTransfer);
    await expect
      .poll(() => anna.page.locator('[data-testid="call-card"]:not([data-status="ended"])').count(), { timeout: 10_000 })
      .toBe(0);
    await max.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, beforeTransfer);

    // Her history: this call is one row (plus the first call's), forwarded to the craftsman by name.
    await anna.page.keyboard.press('Alt+4');
    await anna.page.getByTestId('view-history').waitFor();
    const rows = anna.page.getByTestId('call-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    const transferred = rows.first();
    await expect
      .poll(() => transferred.getByTestId('call-outcome').textContent(), { timeout: 10_000 })
      .toBe('weitergeleitet an Max Holzwurm');
    expect(await transferred.getByTestId('call-taken-by').textContent()).toBe('angenommen von Anna Schmidt');
    expect(await transferred.textContent()).toContain(CUSTOMER_SHOWN);
    expect(await transferred.textContent()).toContain(FIRM);
    expect(await anna.page.getByTestId('view-history').textContent()).not.toContain('läuft');
    // Inside the row: the consultation (once, though both desks wrote a row of it) and the customer's
    // call at the craftsman's desk — no callback for either: the row has the customer's.
    const legsButton = transferred.getByRole('button', { name: '2 Teilgespräche' });
    expect(await legsButton.getAttribute('aria-expanded')).toBe('false');
    await legsButton.click();
    const legs = anna.page.getByTestId('call-leg');
    await legs.first().waitFor();
    expect(await legs.count()).toBe(2);
    expect(await legs.nth(0).textContent()).toContain('Rückfrage mit Max Holzwurm');
    expect(await legs.nth(0).getAttribute('data-internal')).toBe('true');
    expect(await legs.nth(1).textContent()).toContain(CUSTOMER_SHOWN);
    expect(await legs.nth(1).textContent()).toContain('angenommen von Max Holzwurm');
    expect(await legs.getByRole('button').count()).toBe(0);
    expect(await transferred.getByRole('button', { name: `${CUSTOMER_SHOWN} zurückrufen` }).count()).toBe(1);
    expect(await seriousAxeViolations(anna.page, '[data-testid="view-history"]')).toEqual([]);
    // The ended cards linger a few seconds; the screenshot shows the history alone.
    await expect.poll(() => anna.page.getByTestId('call-card').count(), { timeout: 10_000 }).toBe(0);
    await screenshot(anna.page, 'history-de-light');

    // The craftsman's history: the same one row, firm names, the colleague by name, never her id.
    await max.page.keyboard.press('Alt+4');
    await max.page.getByTestId('view-history').waitFor();
    const maxRows = max.page.getByTestId('call-row');
    await expect.poll(() => maxRows.count(), { timeout: 10_000 }).toBe(2);
    expect(await maxRows.first().getByTestId('call-outcome').textContent()).toBe('weitergeleitet an Max Holzwurm');
    for (const text of await maxRows.allTextContents()) {
      expect(text).toContain(FIRM);
      expect(text).not.toContain('tischlerei');
      expect(text).not.toContain('läuft');
      expect(text).not.toMatch(/\banna\b/);
    }
    await maxRows.first().getByRole('button', { name: '2 Teilgespräche' }).click();
    expect(await max.page.getByTestId('call-leg').first().textContent()).toContain('Rückfrage mit Max Holzwurm');
    expect(await max.page.getByTestId('call-leg').getByRole('button').count()).toBe(0);
    expect(await seriousAxeViolations(max.page, '[data-testid="view-history"]')).toEqual([]);
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 120_000);
});
