import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage } from '../../helpers/ui.js';

/**
 * Anna's laptop has its date set to tomorrow (a dead CMOS battery); Max's clock is right. Against
 * the real server: Anna edits a contact's name, Max edits it afterwards and his edit wins on both
 * desks (before, Anna's version a day ahead pinned the field until the next day). Anna's status bar
 * tells her in German that her clock is a day fast; Max's says nothing about clocks.
 */
const DAY = 24 * 60 * 60 * 1000;

describe('a laptop whose clock is a day ahead', () => {
  let rig: DeskRig;
  beforeAll(async () => {
    rig = await startDeskRig();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('shows the clock warning, and a later edit at a correct desk wins over its edit', async () => {
    const anna = await rig.desk('anna', 'contacts', { clockShiftMs: DAY });
    const max = await rig.desk('max', 'contacts');
    const text = async (page: typeof anna.page, testId: string) =>
      ((await page.getByTestId(testId).textContent()) ?? '').replace(/\s+/g, ' ').trim();

    const warning = 'Die Uhr dieses Computers geht 1 Tag vor – bitte Datum und Uhrzeit prüfen';
    await expect.poll(() => text(anna.page, 'status-sync'), { timeout: 15_000 }).toBe('Synchronisierung: online');
    await expect.poll(() => text(anna.page, 'status-clock'), { timeout: 15_000 }).toBe(warning);
    expect(await anna.page.getByTestId('status-clock').getAttribute('title')).toBe(warning);
    expect(await anna.page.getByTestId('status-bar').ariaSnapshot()).toContain(warning);
    await screenshot(anna.page, 'status-bar-clock-ahead');
    await expect.poll(() => text(max.page, 'status-sync'), { timeout: 15_000 }).toBe('Synchronisierung: online');
    expect(await max.page.getByTestId('status-clock').count()).toBe(0);

    const created = (await invokeInPage(anna.page, 'contacts.create', {
      tenant: 'tischlerei',
      name: 'Frau Meier (Laptop)',
      phones: [],
    })) as { ok: boolean; value: { id: string } };
    expect(created.ok).toBe(true);
    const id = created.value.id;
    const nameAt = async (page: typeof anna.page) =>
      ((await invokeInPage(page, 'contacts.get', { id })) as { value?: { name: string } }).value?.name;
    await invokeInPage(anna.page, 'sync.now', null);
    await invokeInPage(max.page, 'sync.now', null);
    await expect.poll(() => nameAt(max.page), { timeout: 15_000 }).toBe('Frau Meier (Laptop)');

    expect(await invokeInPage(max.page, 'contacts.update', { id, patch: { name: 'Frau Meier-Schulz' } })).toMatchObject({
      ok: true,
    });
    await invokeInPage(max.page, 'sync.now', null);
    await invokeInPage(anna.page, 'sync.now', null);
    await expect.poll(() => nameAt(anna.page), { timeout: 15_000 }).toBe('Frau Meier-Schulz');
    await invokeInPage(max.page, 'sync.now', null);
    expect(await nameAt(max.page)).toBe('Frau Meier-Schulz');

    // Anna's edit went out in server time: its version is not a day ahead of Max's
    const status = (await invokeInPage(anna.page, 'sync.status', null)) as {
      value: { clockOffset: number; quarantined: number };
    };
    expect(Math.abs(status.value.clockOffset + DAY)).toBeLessThan(60_000);
    expect(status.value.quarantined).toBe(0);
    expect([...anna.errors, ...max.errors]).toEqual([]);
  }, 90_000);
});
