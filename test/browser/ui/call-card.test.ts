import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

const FIRM = 'Tischlerei Holzwurm';
const FIRM_NUMBER = '+492211234567';
const CUSTOMER = '+4917612345678';

/** "1:02" or "1:02:03" on the card, in seconds. */
const seconds = async (timer: Locator) =>
  (await timer.textContent())!
    .trim()
    .split(':')
    .reduce((sum, part) => sum * 60 + Number(part), 0);

/**
 * The call card as the teleworker works with it: a stranger's call rings visibly (a ring around the
 * card, a bell that pulses only where motion is welcome, an announcement for screen readers), his
 * number reads as Germans write it, answer/decline/busy look different, "Kontakt anlegen" starts his
 * contact for the firm he called, the connected call shows a clock that runs on while he is held, and
 * the keypad opens over the card without moving the note field.
 */
describe('the call card of an unknown caller', () => {
  let rig: DeskRig;
  let customer: Baresip;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build:renderer` first');
    rig = await startDeskRig();
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
  }, 60_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  it('rings visibly, reads out, offers the contact, counts through hold and keeps the note in place', async () => {
    const anna = await rig.desk('anna', 'notes', { viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const { page } = anna;
    await expect.poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 }).toBe('registered');
    // The firm must be known before the call, or the card shows the call without it.
    await expect
      .poll(
        async () =>
          ((await invokeInPage(page, 'tenants.list', null)) as { value?: { tenant: string }[] }).value?.some(
            (f) => f.tenant === 'tischlerei',
          ),
        { timeout: 20_000 },
      )
      .toBe(true);

    const mark = customer.events.length;
    await customer.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = page.getByRole('article', { name: `Anruf für ${FIRM}` });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');

    // Ringing is a state you see and hear about, not a word among others.
    expect(await card.getByTestId('caller-number').textContent()).toBe('+49 176 12345678');
    await expect
      .poll(() => card.locator('[aria-live="assertive"]').textContent(), { timeout: 5000 })
      .toBe(`Anruf für ${FIRM}: +49 176 12345678`);
    expect(await card.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    const bell = card.locator('.bell');
    expect(await bell.evaluate((el) => getComputedStyle(el).animationName)).not.toBe('none');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await bell.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    expect(await card.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.emulateMedia({ reducedMotion: 'no-preference' });

    // Three actions, three looks: answer green, decline red, busy quiet.
    const look = (name: string) =>
      card.getByRole('button', { name, exact: true }).evaluate((el) => {
        const root = getComputedStyle(document.documentElement);
        const probe = document.createElement('span');
        document.body.append(probe);
        const colour = (variable: string) => {
          probe.style.color = root.getPropertyValue(variable);
          return getComputedStyle(probe).color;
        };
        const seen = getComputedStyle(el).backgroundColor;
        const result = { bg: seen, ok: colour('--ok'), danger: colour('--danger-bg'), surface: colour('--surface') };
        probe.remove();
        return result;
      });
    const [answer, decline, busy] = [await look('Annehmen'), await look('Ablehnen'), await look('Besetzt')];
    expect(answer.bg).toBe(answer.ok);
    expect(decline.bg).toBe(decline.danger);
    expect(busy.bg).toBe(busy.surface);
    for (const theme of ['light', 'dark'] as const) {
      expect(await invokeInPage(page, 'settings.set', { theme })).toMatchObject({ ok: true });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      expect(await seriousAxeViolations(page, '[data-testid="call-card"]')).toEqual([]);
      await screenshot(page, `call-card-ringing-${theme}`);
    }
    expect(await invokeInPage(page, 'settings.set', { theme: 'light' })).toMatchObject({ ok: true });

    // An unknown caller: his contact, for the firm he called, is one click away.
    await card.getByRole('button', { name: 'Kontakt anlegen' }).click();
    const form = page.getByTestId('contact-form');
    await form.waitFor({ timeout: 5000 });
    expect(await page.getByTestId('view-contacts').isVisible()).toBe(true);
    expect(await form.getByRole('combobox', { name: /^Firma \(Mandant\)/ }).inputValue()).toBe('tischlerei');
    expect(await form.getByLabel('Telefonnummer 1').inputValue()).toBe(CUSTOMER);
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Frieda Meier');
    await form.getByRole('button', { name: 'Speichern' }).click();
    // Saved while he waits: the card knows him now and no longer offers to add him.
    await expect.poll(() => card.getByTestId('caller').textContent(), { timeout: 10_000 }).toContain('Frieda Meier');
    expect(await card.getByRole('button', { name: 'Kontakt anlegen' }).count()).toBe(0);

    // Answered: the clock starts and keeps running while the customer is held.
    await page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    const timer = card.getByRole('timer');
    await timer.waitFor({ timeout: 5000 });
    expect(await timer.textContent()).toMatch(/^0:0\d$/);
    await expect.poll(() => seconds(timer), { timeout: 4000 }).toBeGreaterThanOrEqual(2);

    // The keypad opens over the card: the note field does not move, and the digit reaches the caller.
    const note = card.getByLabel('Anliegen');
    // Measured against the card, not the viewport: the screen below the card may scroll meanwhile.
    const noteInCard = async () => {
      const [n, c] = [await note.boundingBox(), await card.boundingBox()];
      return n && c ? { x: n.x - c.x, y: n.y - c.y, width: n.width, height: n.height } : null;
    };
    const before = await noteInCard();
    const keypadToggle = card.getByRole('button', { name: 'Tastenfeld' });
    await keypadToggle.click();
    expect(await keypadToggle.getAttribute('aria-expanded')).toBe('true');
    const keypad = card.getByRole('group', { name: 'Tastentöne' });
    await keypad.getByRole('button', { name: '5', exact: true }).click();
    expect(await noteInCard()).toEqual(before);
    await expect.poll(() => customer.dtmfReceived(), { timeout: 5000 }).toContain('5');
    expect(await seriousAxeViolations(page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(page, 'call-card-connected-keypad');
    await page.keyboard.press('Escape');
    await expect.poll(() => keypad.count()).toBe(0);

    await card.getByRole('button', { name: 'Halten' }).click();
    await expect.poll(() => card.getByRole('status').first().textContent(), { timeout: 8000 }).toContain('Von Ihnen gehalten');
    const held = await seconds(timer);
    await expect.poll(() => seconds(timer), { timeout: 5000 }).toBeGreaterThanOrEqual(held + 2);

    await page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, mark);
    expect(anna.errors).toEqual([]);
  }, 120_000);
});
