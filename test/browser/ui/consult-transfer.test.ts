import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type Desk, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const root = join(import.meta.dirname, '..', '..', '..');
const rendererBuilt = existsSync(join(root, 'dist', 'renderer', 'index.html'));

const FIRM = 'Tischlerei Holzwurm';
const FIRM_NUMBER = '+492211234567';
const CUSTOMER = '+4917612345678';
const CUSTOMER_SHOWN = '+49 176 12345678';

/** A screenshot for the README: written to artifacts/ like every other, and copied to docs/screenshots/. */
async function docScreenshot(page: Page, name: string): Promise<void> {
  copyFileSync(await screenshot(page, name), join(root, 'docs', 'screenshots', `${name}.png`));
}

/**
 * The teleworker hands an outside caller on, on the README's set-up (SIP domain 127.0.0.1) with a
 * baresip customer: she picks the craftsman by name from the transfer picker (his live status beside
 * him), consults him while the customer waits — both calls on the card she is looking at, on a
 * screen other than "Telefon" — and connects them; the craftsman reads who handed him whom for which firm.
 */
describe('consultation and the transfer picker', () => {
  let rig: DeskRig;
  let customer: Baresip;
  let anna: Desk;
  let max: Desk;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build:renderer` first');
    rig = await startDeskRig({ pki: { sipDomain: null }, stack: { udpPeers: undefined } });
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
  }, 60_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  /** Both desks, registered, with the firm known at hers before the first call (once, for both tests). */
  let ready: Promise<void> | undefined;
  async function desks(): Promise<void> {
    ready ??= (async () => {
      [anna, max] = await Promise.all([
        rig.desk('anna', 'notes', { viewport: { width: 1280, height: 900 }, bypassCSP: true }),
        rig.desk('max', 'phone', { viewport: { width: 1280, height: 900 } }),
      ]);
      for (const { page } of [anna, max])
        await expect
          .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 })
          .toBe('registered');
      // The firm must be known before the call, or the card shows the call without it.
      await expect
        .poll(
          async () =>
            ((await invokeInPage(anna.page, 'tenants.list', null)) as { value?: { tenant: string }[] }).value?.some(
              (f) => f.tenant === 'tischlerei',
            ),
          { timeout: 20_000 },
        )
        .toBe(true);
    })();
    await ready;
  }

  /** The customer calls the firm and the teleworker answers; resolves with her card of that call. */
  async function customerAnswered() {
    const mark = customer.events.length;
    await customer.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = anna.page.getByRole('article', { name: `Anruf für ${FIRM}` });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await anna.page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 8000 }).toBe('connected');
    return { card, mark };
  }

  const alerts = (page: Page) => page.getByRole('alert').allTextContents();
  const liveCards = (page: Page) => page.locator('[data-testid="call-card"]:not([data-status="ended"])');

  it('consults the craftsman with both calls on the card, comes back, and connects them', async () => {
    await desks();
    const { card, mark } = await customerAnswered();
    const picker = card.getByRole('combobox', { name: 'Weiterleiten an' });

    // Consultation 1: the craftsman declines; she reads it on the card she looks at, the customer waits.
    await picker.fill('max');
    await card.getByRole('button', { name: 'Rückfrage' }).click();
    const panel = anna.page.getByTestId('consult-panel');
    await panel.waitFor({ timeout: 10_000 });
    const waiting = panel.getByTestId('consult-customer');
    const colleague = panel.getByTestId('consult-colleague');
    expect(await waiting.textContent()).toContain(CUSTOMER_SHOWN);
    expect(await waiting.textContent()).toContain(`Anruf für ${FIRM}`);
    expect(await colleague.textContent()).toContain('Max Holzwurm');
    expect(await colleague.textContent()).not.toContain('Unbekannter Anrufer');
    await expect.poll(() => waiting.getByRole('status').textContent(), { timeout: 8000 }).toContain('Von Ihnen gehalten');
    expect(await panel.getByRole('button', { name: 'Verbinden' }).isDisabled()).toBe(true);
    const atMax = max.page.getByTestId('call-card').filter({ hasText: 'Anna Schmidt' });
    await expect.poll(() => atMax.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    // He learns whom the consultation is about before he answers.
    expect(await atMax.getByTestId('consult-about').textContent()).toContain(
      `Rückfrage zu einem wartenden Anrufer: ${CUSTOMER_SHOWN}`,
    );
    await atMax.getByRole('button', { name: 'Ablehnen' }).click();
    await expect
      .poll(() => card.getByTestId('line-error').textContent(), { timeout: 10_000 })
      .toBe('Max Holzwurm hat die Rückfrage abgelehnt – der Anrufer wartet weiter.');
    expect(await card.getByRole('status').first().textContent()).toContain('Von Ihnen gehalten');
    await card.getByRole('button', { name: 'Fortsetzen' }).click();
    await expect.poll(() => card.getByRole('status').first().textContent(), { timeout: 8000 }).not.toContain('gehalten');

    // Consultation 2: he answers; "Zurück zum Kunden" ends it and she talks to the customer again.
    await picker.fill('Max Holzwurm');
    await card.getByRole('button', { name: 'Rückfrage' }).click();
    await expect.poll(() => atMax.first().getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await max.page.keyboard.press('Alt+A');
    await expect.poll(() => colleague.getByRole('status').textContent(), { timeout: 10_000 }).toBe('Verbunden');
    await panel.getByRole('button', { name: 'Zurück zum Kunden' }).click();
    await expect.poll(() => liveCards(max.page).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => panel.count(), { timeout: 8000 }).toBe(0);
    await expect.poll(() => card.getByRole('status').first().textContent(), { timeout: 8000 }).not.toContain('gehalten');
    expect(await card.getAttribute('data-status')).toBe('connected');
    expect(await alerts(anna.page)).toEqual([]);

    // Consultation 3: he answers, she connects them; he reads who handed him whom, for which firm.
    await picker.fill('Max');
    await card.getByRole('button', { name: 'Rückfrage' }).click();
    await expect.poll(() => liveCards(max.page).first().getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await max.page.keyboard.press('Alt+A');
    await expect.poll(() => colleague.getByRole('status').textContent(), { timeout: 10_000 }).toBe('Verbunden');
    for (const theme of ['dark', 'light'] as const) {
      expect(await invokeInPage(anna.page, 'settings.set', { theme })).toMatchObject({ ok: true });
      await expect.poll(() => anna.page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      expect(await seriousAxeViolations(anna.page, '[data-testid="consult-panel"]')).toEqual([]);
    }
    await docScreenshot(anna.page, 'consult-panel-de-light');
    const before = customer.events.length;
    await panel.getByRole('button', { name: 'Verbinden' }).click();
    const handed = max.page.getByTestId('call-card').filter({ hasText: 'Durchgestellt von' });
    await expect
      .poll(() => handed.getByTestId('transferred-by').textContent(), { timeout: 10_000 })
      .toBe(`Durchgestellt von Anna Schmidt – ${CUSTOMER_SHOWN} für ${FIRM}`);
    await expect.poll(() => handed.getAttribute('data-status'), { timeout: 10_000 }).toBe('connected');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, before);
    // The consultation made way for the customer at his end, and both of her calls ended.
    await expect.poll(() => liveCards(max.page).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => liveCards(anna.page).count(), { timeout: 10_000 }).toBe(0);
    expect(await anna.page.getByTestId('consult-panel').count()).toBe(0);
    expect(await alerts(anna.page)).toEqual([]);
    expect(await alerts(max.page)).toEqual([]);

    await max.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, mark);
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 180_000);

  it('picks the craftsman by name from the picker, with his status and the firm’s mobile', async () => {
    await desks();
    await expect.poll(() => liveCards(max.page).count(), { timeout: 10_000 }).toBe(0);
    const { card, mark } = await customerAnswered();
    const picker = card.getByRole('combobox', { name: 'Weiterleiten an' });
    const options = card.getByTestId('transfer-option');
    const values = () => options.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-value')));

    // Alt+T only focuses the picker, whatever it holds: nothing is transferred.
    await picker.fill('max');
    await anna.page.keyboard.press('Alt+T');
    expect(await picker.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await card.getAttribute('data-status')).toBe('connected');
    expect(await card.getByRole('status').first().textContent()).not.toContain('weitergeleitet');
    expect(await liveCards(max.page).count()).toBe(0);

    // Typed text matches names, ids and numbers; the craftsman shows his live status (the busy lamp).
    await picker.fill('');
    await picker.pressSequentially('holz');
    await expect.poll(values).toEqual(['max', '+491701234567']);
    const maxOption = options.filter({ hasText: 'Max Holzwurm' });
    await expect.poll(() => maxOption.getAttribute('data-state'), { timeout: 15_000 }).toBe('available');
    expect(await maxOption.textContent()).toContain('Verfügbar');
    expect(await options.filter({ hasText: `Handy ${FIRM}` }).textContent()).toContain('+49 170 1234567');
    for (const theme of ['dark', 'light'] as const) {
      expect(await invokeInPage(anna.page, 'settings.set', { theme })).toMatchObject({ ok: true });
      await expect.poll(() => anna.page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    }
    await docScreenshot(anna.page, 'transfer-picker-de-light');
    await picker.fill('0170 123');
    await expect.poll(values).toEqual(['+491701234567']);
    await picker.fill('MAX');
    await expect.poll(values).toEqual(['max']);

    // A name that fits nobody is said on the card, not dialled and not an internal error.
    await picker.fill('Meier');
    await card.getByRole('button', { name: 'Weiterleiten', exact: true }).click();
    await expect
      .poll(() => alerts(anna.page), { timeout: 5000 })
      .toEqual(['Niemand heißt „Meier“ – bitte aus der Liste wählen oder eine Nummer eingeben.']);
    expect(await card.getAttribute('data-status')).toBe('connected');

    // Picked by name (arrow and Enter), then "Weiterleiten": the customer reaches the craftsman.
    await picker.fill('Holzwurm');
    await picker.press('ArrowDown');
    await picker.press('ArrowUp');
    await picker.press('Enter');
    expect(await picker.inputValue()).toBe('Max Holzwurm');
    const before = customer.events.length;
    await card.getByRole('button', { name: 'Weiterleiten', exact: true }).click();
    const handed = max.page.getByTestId('call-card').filter({ hasText: CUSTOMER_SHOWN });
    await expect.poll(() => handed.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    // The firm number travelled with her REFER through the PBX: he reads the firm as after a consultation.
    await expect
      .poll(() => handed.getByTestId('transferred-by').textContent(), { timeout: 5000 })
      .toBe(`Durchgestellt von Anna Schmidt – ${CUSTOMER_SHOWN} für ${FIRM}`);
    await max.page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, before);
    await expect.poll(() => liveCards(anna.page).count(), { timeout: 10_000 }).toBe(0);
    expect(await alerts(anna.page)).toEqual([]);
    await max.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, mark);
    expect(anna.errors).toEqual([]);
  }, 120_000);
});
