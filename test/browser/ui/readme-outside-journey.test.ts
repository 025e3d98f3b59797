import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

const FIRM_NUMBER = '+492211234567';
const CUSTOMER = '+4917612345678';
/** The same number as the card writes it. */
const CUSTOMER_SHOWN = '+49 176 12345678';

/**
 * An outside caller's whole journey on exactly the README's "A whole office on one machine": `ca init`
 * without `--sip-domain` and the PBX URL on wss://127.0.0.1 (so the SIP domain is 127.0.0.1), the stack
 * without a UDP allow-list, a baresip customer on 127.0.0.1. The teleworker answers, holds and resumes
 * the customer, consults the craftsman while the customer waits, comes back and transfers the customer
 * to him. (baresip 1.0 sends no usable Replaces when it follows an attended transfer, so the hand-over
 * is a blind one: the in-dialog REFER it needs is the same.)
 */
describe("an outside caller's journey on the README's set-up", () => {
  let rig: DeskRig;
  let customer: Baresip;
  const desk = (user: 'anna' | 'max') => rig.desk(user, 'phone', { viewport: { width: 1280, height: 900 } });

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig(process.env.DBG_LOCALHOST ? {} : { pki: { sipDomain: null }, stack: { udpPeers: undefined } });
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
  }, 60_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  it('answers, holds, consults the craftsman and transfers the customer to him; presence works too', async () => {
    const [anna, max] = await Promise.all([desk('anna'), desk('max')]);
    for (const { page } of [anna, max])
      await expect
        .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('registered');
    const alerts = (page: Page) => page.getByRole('alert').allTextContents();

    const mark = customer.events.length;
    await customer.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = anna.page.getByTestId('call-card').filter({ hasText: CUSTOMER_SHOWN });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await anna.page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    const status = card.getByRole('status').first();
    await expect.poll(() => status.textContent()).toContain('Verbunden');

    // Hold and resume: re-INVITEs from the app to the customer, in the dialog.
    await card.getByRole('button', { name: 'Halten' }).click();
    await expect.poll(() => status.textContent(), { timeout: 8000 }).toContain('Von Ihnen gehalten');
    await card.getByRole('button', { name: 'Fortsetzen' }).click();
    await expect.poll(() => status.textContent(), { timeout: 8000 }).not.toContain('Von Ihnen gehalten');
    expect(await alerts(anna.page)).toEqual([]);

    // Consultation: the customer is held while the craftsman is asked, then the teleworker comes back.
    await card.getByLabel('Weiterleiten an').fill('max');
    await card.getByRole('button', { name: 'Rückfrage' }).click();
    const colleagueAtMax = max.page.getByTestId('call-card').filter({ hasText: 'Anna Schmidt' });
    await expect.poll(() => colleagueAtMax.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    await max.page.keyboard.press('Alt+A');
    const consult = anna.page.getByTestId('consult-panel');
    await expect.poll(() => consult.getAttribute('data-status'), { timeout: 10_000 }).toBe('connected');
    await consult.getByRole('button', { name: 'Zurück zum Kunden' }).click();
    await expect.poll(() => max.page.getByTestId('call-card').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => status.textContent(), { timeout: 8000 }).not.toContain('Von Ihnen gehalten');
    expect(await alerts(anna.page)).toEqual([]);

    // Transfer: a REFER in the customer's dialog; the customer calls the craftsman, who answers.
    await card.getByLabel('Weiterleiten an').fill('max');
    const beforeTransfer = customer.events.length;
    await card.getByRole('button', { name: 'Weiterleiten', exact: true }).click();
    const customerAtMax = max.page.getByTestId('call-card').filter({ hasText: CUSTOMER_SHOWN });
    await expect.poll(() => customerAtMax.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    expect(await customerAtMax.getByTestId('caller').getAttribute('data-caller')).toBe('outside');
    await max.page.keyboard.press('Alt+A');
    await expect.poll(() => customerAtMax.getAttribute('data-status'), { timeout: 10_000 }).toBe('connected');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, beforeTransfer);
    await expect
      .poll(() => anna.page.locator('[data-testid="call-card"]:not([data-status="ended"])').count(), { timeout: 10_000 })
      .toBe(0);
    expect(await alerts(anna.page)).toEqual([]);
    expect(await alerts(max.page)).toEqual([]);

    await max.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, mark);

    // Presence on the same set-up: the apps publish for sip:anna@127.0.0.1, which has no port.
    await max.page.getByRole('link', { name: 'Team' }).click();
    const annaAtMax = max.page.locator('[data-testid="person"][data-user="anna"]');
    await expect.poll(() => annaAtMax.getAttribute('data-state'), { timeout: 15_000 }).toBe('available');
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 120_000);
});
