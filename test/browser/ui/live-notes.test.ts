import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { screenshot } from '../../helpers/chromium.js';
import { invokeInPage } from '../../helpers/ui.js';

/**
 * The seed's promise on two desks: the teleworker (anna) writes a callback note for the joinery; the
 * craftsman (max), in his own app instance, sees it without doing anything, marks it done, and anna
 * sees it done. Two browser shells with their own profiles and certificates, the real sync server.
 */
describe('a note travels live between the teleworker and the craftsman', () => {
  let rig: DeskRig;
  const desk = (user: 'anna' | 'max', view = 'notes') => rig.desk(user, view);

  beforeAll(async () => {
    rig = await startDeskRig();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('appears at the craftsman unasked, is marked done there, and shows done at the teleworker', async () => {
    const anna = await desk('anna');
    const max = await desk('max');

    // The note form lives on the call card (calls); here the teleworker's app writes it through the
    // same host API method the card uses.
    const created = (await invokeInPage(anna.page, 'notes.create', {
      tenant: 'tischlerei',
      subject: 'Rückruf wegen Angebot Treppe',
      body: 'Frau Meier möchte das Angebot für die Eichentreppe besprechen.',
      callback_requested: true,
      callback_number: '+49 30 5551234',
    })) as { ok: boolean; value: { id: string } };
    expect(created.ok).toBe(true);
    // A note for a firm max does not serve must never reach him.
    await invokeInPage(anna.page, 'notes.create', { tenant: 'sanitaer', subject: 'Rohrbruch Keller', callback_requested: false });

    const atMax = max.page.locator(`[data-note-id="${created.value.id}"]`);
    const sent = Date.now();
    await atMax.waitFor({ timeout: 10_000 });
    const latencyMs = Date.now() - sent;
    expect(latencyMs).toBeLessThan(5_000);
    expect(await atMax.textContent()).toContain('+49 30 5551234');
    expect(await max.page.getByText('Rohrbruch Keller').count()).toBe(0);
    await screenshot(max.page, 'live-notes-craftsman');

    await atMax.getByRole('button', { name: 'Erledigt', exact: true }).click();
    // The inbox shows open notes by default: a done one leaves it.
    await expect.poll(() => atMax.count()).toBe(0);

    // At the teleworker's desk it leaves the open list too, by sync alone, and shows as done under "Alle".
    const atAnna = anna.page.locator(`[data-note-id="${created.value.id}"]`);
    await expect.poll(() => atAnna.count(), { timeout: 10_000 }).toBe(0);
    await anna.page.getByRole('combobox', { name: /^Status/ }).selectOption('all');
    await expect.poll(() => atAnna.locator('.badge').textContent()).toBe('erledigt');
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  });
});
