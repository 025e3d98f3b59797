import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { DEFAULT_TENANTS } from '../../helpers/pki.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

const JOINERY_NUMBER = '+492211234567';
const PLUMBER_NUMBER = '+49301234567';
const CUSTOMER = '+4917612345678';
const PLUMBER_TEMPLATE = '{gruss}! {firma}, am Apparat {name}.';

/** The time-of-day greeting a German says at this instant, computed here from the Berlin wall clock. */
function gruss(at: number): string {
  const hour = Number(new Date(at).toLocaleString('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }));
  return hour < 11 ? 'Guten Morgen' : hour < 18 ? 'Guten Tag' : 'Guten Abend';
}

/** What the card must say, for either side of an hour boundary the call may straddle. */
function expectedAround(start: number, text: (g: string) => string): string[] {
  return [...new Set([gruss(start), gruss(Date.now())])].map((g) => `Begrüßung: „${text(g)}“`);
}

async function greetingOf(card: Locator): Promise<string> {
  return ((await card.getByTestId('greeting').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The greeting on the ringing card, on the README's set-up with a baresip customer: a firm without a
 * greeting of its own shows the default, a firm's template is filled with the firm, the time of day
 * and the teleworker's name, and after a transfer the craftsman reads his own name, not hers.
 */
describe('the greeting template on the call card', () => {
  let rig: DeskRig;
  let customer: Baresip;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig({
      // The joinery has no greeting (as in the README); the plumber's comes from `tenant add --greeting`.
      pki: {
        sipDomain: null,
        tenants: DEFAULT_TENANTS.map((t) => (t.id === 'sanitaer' ? { ...t, greeting: PLUMBER_TEMPLATE } : t)),
      },
      stack: { udpPeers: undefined },
    });
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
  }, 60_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  it('shows the default and a template filled for whoever answers, also after a transfer', async () => {
    const viewport = { width: 1280, height: 900 };
    const [anna, max] = await Promise.all([
      rig.desk('anna', 'phone', { viewport, bypassCSP: true }),
      rig.desk('max', 'phone', { viewport, bypassCSP: true }),
    ]);
    // The customer is one of the joinery's contacts: that is how the craftsman's desk knows the firm
    // of a call that reaches him by transfer rather than on the firm's number.
    const created = (await invokeInPage(anna.page, 'contacts.create', {
      tenant: 'tischlerei',
      name: 'Erika Mustermann',
      phones: [{ kind: 'mobile', number: '0176 12345678' }],
    })) as { ok: boolean };
    expect(created.ok).toBe(true);
    await expect
      .poll(
        async () => {
          const found = (await invokeInPage(max.page, 'lookup.caller', { number: CUSTOMER })) as {
            value?: { tenant: { tenant: string } | null };
          };
          return found.value?.tenant?.tenant;
        },
        { timeout: 20_000 },
      )
      .toBe('tischlerei');
    await expect
      .poll(
        async () => {
          const firms = (await invokeInPage(anna.page, 'tenants.list', null)) as {
            value?: { tenant: string; greeting: string | null }[];
          };
          return firms.value?.find((f) => f.tenant === 'sanitaer')?.greeting;
        },
        { timeout: 20_000 },
      )
      .toBe(PLUMBER_TEMPLATE);
    for (const { page } of [anna, max])
      await expect
        .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('registered');

    // The plumber's own template, filled with his name, the time of day and the teleworker's name.
    let start = Date.now();
    let mark = customer.events.length;
    await customer.command('dial', `sip:${PLUMBER_NUMBER}@${rig.stack.info.sipDomain}`);
    const plumberCard = anna.page.getByRole('article', { name: 'Anruf für Sanitär Rohrfrei' });
    await expect.poll(() => plumberCard.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    expect(expectedAround(start, (g) => `${g}! Sanitär Rohrfrei, am Apparat Anna Schmidt.`)).toContain(
      await greetingOf(plumberCard),
    );
    await anna.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 10_000, mark);
    await expect
      .poll(() => anna.page.locator('[data-testid="call-card"]:not([data-status="ended"])').count(), { timeout: 10_000 })
      .toBe(0);

    // The joinery has no greeting: the default, with the teleworker's name.
    start = Date.now();
    mark = customer.events.length;
    await customer.command('dial', `sip:${JOINERY_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = anna.page.locator('[data-testid="call-card"][data-status="ringing"]');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByRole('heading').first().textContent()).toBe('Anruf für Tischlerei Holzwurm');
    const atAnna = (g: string) => `${g}, Tischlerei Holzwurm, Sie sprechen mit Anna Schmidt. Was kann ich für Sie tun?`;
    expect(expectedAround(start, atAnna)).toContain(await greetingOf(card));
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(anna.page, 'greeting-de-light');

    await anna.page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    const connected = anna.page.locator('[data-testid="call-card"][data-status="connected"]');
    await connected.waitFor({ timeout: 10_000 });
    expect(expectedAround(start, atAnna)).toContain(await greetingOf(connected));

    // Transferred to the craftsman: his card greets in his own name, with no trace of hers.
    await connected.getByLabel('Weiterleiten an').fill('max');
    const beforeTransfer = customer.events.length;
    await connected.getByRole('button', { name: 'Weiterleiten', exact: true }).click();
    const atMax = max.page.locator('[data-testid="call-card"][data-status="ringing"]');
    await atMax.waitFor({ timeout: 10_000 });
    const maxGreeting = await greetingOf(atMax);
    expect(
      expectedAround(start, (g) => `${g}, Tischlerei Holzwurm, Sie sprechen mit Max Holzwurm. Was kann ich für Sie tun?`),
    ).toContain(maxGreeting);
    expect(maxGreeting).not.toContain('Anna Schmidt');
    expect(await seriousAxeViolations(max.page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(max.page, 'greeting-after-transfer-de-light');
    await max.page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, beforeTransfer);
    await max.page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 10_000, beforeTransfer);
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 150_000);
});
