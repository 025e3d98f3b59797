import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskRig, type DeskRig, type Desk } from '../../helpers/desk-rig.js';
import { screenshot } from '../../helpers/chromium.js';
import { invokeInPage } from '../../helpers/ui.js';

/**
 * An edit made while the server is down syncs after it is back: the teleworker (anna) and the
 * craftsman (max) both have a customer of the joinery; the real sync server is stopped by PID; each
 * changes a different field of that contact in the Contacts view; the status bar says in German that
 * the server is not reachable and how many changes wait. The server comes back on the same port:
 * both edits arrive on both desks (field-level merge), nothing waits, nothing was "überschrieben".
 */
describe('an edit made while offline syncs after reconnect', () => {
  let rig: DeskRig;
  const desk = (user: 'anna' | 'max', view = 'contacts') => rig.desk(user, view);

  const syncBar = (d: Desk) => d.page.getByTestId('status-sync');
  const barText = async (d: Desk) => ((await syncBar(d).textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const pending = async (d: Desk) =>
    ((await invokeInPage(d.page, 'sync.status', null)) as { value: { pending: number } }).value.pending;

  async function open(d: Desk, name: string): Promise<void> {
    await d.page.getByRole('searchbox').fill(name);
    const hit = d.page.getByRole('listbox', { name: 'Suchergebnisse' }).getByRole('option', { name: new RegExp(name) });
    await hit.waitFor({ timeout: 15_000 });
    await hit.click();
    await d.page.getByTestId('contact-detail').getByRole('heading', { name }).waitFor();
  }

  async function edit(d: Desk, label: string, value: string): Promise<void> {
    await d.page.getByTestId('contact-detail').getByRole('button', { name: 'Bearbeiten' }).click();
    const form = d.page.getByTestId('contact-form');
    await form.getByLabel(label, { exact: true }).fill(value);
    await form.getByRole('button', { name: 'Speichern' }).click();
    await d.page.getByTestId('contact-detail').getByText(value).waitFor();
  }

  beforeAll(async () => {
    rig = await startDeskRig();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('keeps both desks working while the server is down and merges both edits when it is back', async () => {
    const anna = await desk('anna');
    const max = await desk('max');

    // Both desks synced: a customer anna entered is at max's desk too, nothing waits anywhere.
    const created = (await invokeInPage(anna.page, 'contacts.create', {
      tenant: 'tischlerei',
      name: 'Erika Eiche',
      email: 'erika@alt.example',
      city: 'Potsdam',
      phones: [{ kind: 'work', number: '0331 445566' }],
    })) as { ok: boolean };
    expect(created.ok).toBe(true);
    await open(anna, 'Erika Eiche');
    await open(max, 'Erika Eiche');
    for (const d of [anna, max]) {
      await expect.poll(() => pending(d), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => barText(d), { timeout: 15_000 }).toBe('Synchronisierung: online');
    }

    await rig.stack.stopServer();
    // Both desks say so on their own, before anyone edits: the live connection dropped.
    for (const d of [anna, max]) {
      await expect.poll(() => barText(d), { timeout: 15_000 }).toBe('Synchronisierung: Server nicht erreichbar');
      expect(await syncBar(d).getAttribute('data-state')).toBe('offline');
    }

    await edit(anna, 'E-Mail', 'erika@neu.example');
    await expect
      .poll(() => barText(anna), { timeout: 10_000 })
      .toBe('Synchronisierung: Server nicht erreichbar · 1 Änderung ausstehend');
    await edit(max, 'Ort', 'Werder (Havel)');
    await expect
      .poll(() => barText(max), { timeout: 10_000 })
      .toBe('Synchronisierung: Server nicht erreichbar · 1 Änderung ausstehend');
    // The wait is a state, never an error: no raw message, no error list, the local edit is shown.
    for (const d of [anna, max]) {
      const text = (await d.page.locator('body').textContent()) ?? '';
      expect(text).not.toMatch(/ECONNREFUSED|Error:|fetch failed|socket hang up/);
      expect(await d.page.getByRole('alert').count()).toBe(0);
    }
    await screenshot(anna.page, 'offline-edit-pending');
    // Still waiting after half a minute away: the engine keeps retrying, its backoff grows meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect(await pending(anna)).toBe(1);
    expect(await pending(max)).toBe(1);

    await rig.stack.restartServer();
    const back = Date.now();
    for (const d of [anna, max]) {
      await expect.poll(() => barText(d), { timeout: 30_000 }).toBe('Synchronisierung: online');
    }
    const reconnectMs = Date.now() - back;
    // A user should not wait for a backoff that grew while the server was away.
    expect(reconnectMs).toBeLessThan(10_000);

    // Both edits on both desks, without anyone touching anything.
    for (const d of [anna, max]) {
      const detail = d.page.getByTestId('contact-detail');
      await expect.poll(() => detail.textContent(), { timeout: 10_000 }).toContain('erika@neu.example');
      await expect.poll(() => detail.textContent(), { timeout: 10_000 }).toContain('Werder (Havel)');
      expect(await detail.textContent()).not.toContain('erika@alt.example');
      expect(await pending(d)).toBe(0);
      // non-conflicting edits: no "überschrieben von …" hint anywhere
      expect(((await invokeInPage(d.page, 'sync.conflicts', { limit: 100 })) as { value: unknown[] }).value).toEqual([]);
    }
    await anna.page.goto(anna.page.url().replace(/#.*$/, '#/notes'));
    await anna.page.getByTestId('view-notes').waitFor();
    expect(await anna.page.getByText(/überschrieben/).count()).toBe(0);
    expect(await barText(anna)).toBe('Synchronisierung: online');
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 180_000);
});
