import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

const FIRM_NUMBER = '+492211234567';
const OUTSIDER = '+4917612345678';
/** The same number as the card writes it. */
const OUTSIDER_SHOWN = '+49 176 12345678';

/**
 * Nobody outside rings as a colleague, as the teleworker sees it: a caller on UDP who puts the
 * craftsman's user in From is refused by the PBX and never rings; one who puts his name in the display
 * name rings as an outside call; the craftsman's own call, over his certified connection, shows his
 * name from the directory.
 */
describe('who calls, on the call card', () => {
  let rig: DeskRig;
  const callers: Baresip[] = [];
  const outside = async (user: string, displayName?: string) => {
    const caller = await startBaresip({
      user,
      displayName,
      domain: rig.stack.info.sipDomain,
      pbxPort: rig.stack.info.ports.udp,
    });
    callers.push(caller);
    return caller;
  };

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig();
  }, 60_000);
  afterAll(async () => {
    for (const caller of callers) await caller.stop();
    await rig?.stop();
  });

  it('shows an outside call as outside whatever it claims, and a colleague by his directory name', async () => {
    const [anna, max] = await Promise.all([
      rig.desk('anna', 'notes', { bypassCSP: true }),
      rig.desk('max', 'phone', { bypassCSP: true }),
    ]);
    for (const { page } of [anna, max])
      await expect
        .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('registered');
    const cards = anna.page.getByTestId('call-card');

    // "max" in From over UDP: refused by the PBX, nothing rings at anna.
    const impostor = await outside('max', 'Max Holzwurm');
    await impostor.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const closed = await impostor.waitForEvent('CALL_CLOSED', 10_000);
    expect(closed.param).toContain('403');
    expect(await cards.count()).toBe(0);

    // An outside number that calls itself "Max Holzwurm": rings, as an outside call.
    const caller = await outside(OUTSIDER, 'Max Holzwurm');
    await caller.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const ringing = cards.filter({ hasText: OUTSIDER_SHOWN });
    await expect.poll(() => ringing.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    const who = ringing.getByTestId('caller');
    expect(await who.getAttribute('data-caller')).toBe('outside');
    expect(await who.textContent()).toContain('externer Anruf');
    expect(await who.textContent()).toContain('Unbekannter Anrufer');
    expect(await who.textContent()).not.toContain('Max Holzwurm');
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(anna.page, 'caller-outside-de');
    // Declined at anna, the firm's call would ring the craftsman next: the caller gives up instead.
    await caller.command('hangup');
    await caller.waitForEvent('CALL_CLOSED', 8000);
    await expect.poll(() => ringing.getAttribute('data-status'), { timeout: 8000 }).not.toBe('ringing');

    // The craftsman calls from his app: his name, from the directory, as a colleague.
    await max.page.getByLabel('Nummer oder Name').fill('anna');
    await max.page.getByRole('button', { name: 'Anrufen', exact: true }).click();
    const colleague = cards.filter({ has: anna.page.locator('[data-caller="colleague"]') });
    await expect.poll(() => colleague.getAttribute('data-status'), { timeout: 10_000 }).toBe('ringing');
    expect(await colleague.getByTestId('caller').textContent()).toMatch(/Max Holzwurm\s*·\s*intern/);
    expect(await seriousAxeViolations(anna.page, '[data-testid="call-card"]')).toEqual([]);
    await screenshot(anna.page, 'caller-colleague-de');
    await anna.page.keyboard.press('Alt+E');
    await expect.poll(() => cards.locator('[data-caller="colleague"]').count(), { timeout: 10_000 }).toBe(0);
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 90_000);
});
