import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { DEFAULT_USERS } from '../../helpers/pki.js';
import { invokeInPage } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

/**
 * Einstellungen → Aufbewahrung der Scans, in the browser shell against the real stack: the lead sets
 * the years per kind, a value outside 1–30 is said in German and not saved, and a teleworker sees no
 * such section. The browser shell has no folder dialog, so the scanner folder is typed there.
 */
describe.skipIf(!rendererBuilt)('retention of scans in the settings', () => {
  let rig: DeskRig;
  beforeAll(async () => {
    rig = await startDeskRig({
      pki: { users: [...DEFAULT_USERS, { id: 'lea', name: 'Lea Leitung', tenants: [], role: 'lead' }] },
    });
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('the lead sets years per kind; invalid years are refused in German and nothing is saved', async () => {
    const { page, errors } = await rig.desk('lea', 'settings');
    const section = page.getByTestId('settings-retention');
    await section.waitFor({ timeout: 20_000 });
    expect(await section.locator('legend').textContent()).toBe('Aufbewahrung der Scans');
    const invoices = section.getByLabel('Rechnung');
    expect(await invoices.getAttribute('placeholder')).toBe('Standard: 8 Jahre');

    await invoices.fill('10');
    await invoices.dispatchEvent('change');
    await expect
      .poll(
        async () =>
          ((await invokeInPage(page, 'settings.get', undefined)) as { value: { mailRetentionYears: unknown } }).value
            .mailRetentionYears,
      )
      .toEqual({ rechnung: 10 });

    const parcels = section.getByLabel('Paket');
    await parcels.fill('0');
    await parcels.dispatchEvent('change');
    await expect.poll(() => section.getByRole('alert').textContent()).toContain('ganze Jahre von 1 bis 30');
    expect(await parcels.getAttribute('aria-invalid')).toBe('true');
    expect(
      ((await invokeInPage(page, 'settings.get', undefined)) as { value: { mailRetentionYears: unknown } }).value
        .mailRetentionYears,
    ).toEqual({
      rechnung: 10,
    });
    // The intake section is the lead's too; in the browser shell it offers no folder dialog.
    await page.getByTestId('settings-intake').waitFor();
    expect(await page.getByTestId('settings-intake-pick').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows a teleworker no retention section', async () => {
    const { page } = await rig.desk('anna', 'settings');
    await page.getByTestId('settings-intake').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('settings-retention').count()).toBe(0);
  });
});
