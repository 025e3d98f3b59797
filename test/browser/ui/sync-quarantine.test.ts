import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage } from '../../helpers/ui.js';

/**
 * A change the server refuses for good reaches the user: the craftsman (max, joinery only) has a note
 * for the plumbing firm in his store; the real server refuses it (403). The renderer's sync state
 * shows it in the status bar and the notes view, in German with the reason; "Erneut versuchen"
 * sends it again (still refused, still kept), "Verwerfen" after confirming gives it up while the
 * note stays on this desk.
 */
describe('refused changes in the UI', () => {
  let rig: DeskRig;

  beforeAll(async () => {
    rig = await startDeskRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('shows the refused note with its reason, retries it, and discards it after confirming', async () => {
    const { page, errors } = await rig.desk('max', 'contacts');

    const refused = (await invokeInPage(page, 'notes.create', {
      tenant: 'sanitaer',
      subject: 'Rohrbruch Keller',
      callback_requested: false,
    })) as { ok: boolean; value: { id: string } };
    expect(refused.ok).toBe(true);
    const fine = (await invokeInPage(page, 'notes.create', {
      tenant: 'tischlerei',
      subject: 'Angebot Treppe',
      callback_requested: false,
    })) as { ok: boolean };
    expect(fine.ok).toBe(true);

    const inBar = page.getByTestId('status-quarantine');
    await inBar.waitFor({ timeout: 15_000 });
    // counted in field changes: every field the note form wrote for the refused note
    const quarantined = () =>
      invokeInPage(page, 'sync.quarantine', {}) as Promise<{ value: { recordId: string; code: string }[] }>;
    const first = (await quarantined()).value;
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((q) => q.recordId === refused.value.id && q.code === 'forbidden_tenant')).toBe(true);
    const n = first.length;
    expect((await inBar.textContent())?.trim()).toBe(`${n} abgelehnt`);
    // the valid note went through: nothing else waits
    await expect
      .poll(async () => ((await invokeInPage(page, 'sync.status', null)) as { value: { pending: number } }).value.pending)
      .toBe(0);

    await inBar.click();
    const notice = page.getByTestId('sync-quarantine');
    await notice.waitFor();
    const heading = `${n} Änderungen wurden vom Server abgelehnt`;
    expect(await notice.getByRole('heading').textContent()).toBe(heading);
    expect(await notice.locator('li[data-code="forbidden_tenant"]').textContent()).toContain(
      `${n} Änderungen betreffen eine Firma, für die Sie nicht freigeschaltet sind`,
    );
    await screenshot(page, 'sync-quarantine');

    // still refused: it comes back, nothing is lost
    await notice.getByRole('button', { name: 'Erneut versuchen' }).click();
    await expect.poll(() => notice.getByRole('button', { name: 'Erneut versuchen' }).isEnabled()).toBe(true);
    expect(await notice.getByRole('heading').textContent()).toBe(heading);
    const again = (await quarantined()).value;
    expect(again).toHaveLength(n);
    expect(again.every((q) => q.recordId === refused.value.id && q.code === 'forbidden_tenant')).toBe(true);

    // discard asks first; cancelling keeps it
    await notice.getByRole('button', { name: 'Verwerfen' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Abbrechen' }).click();
    expect(await notice.isVisible()).toBe(true);
    await notice.getByRole('button', { name: 'Verwerfen' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Verwerfen' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    await expect.poll(() => inBar.count()).toBe(0);
    // the note itself stays on this desk
    expect(await page.locator(`[data-note-id="${refused.value.id}"]`).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
