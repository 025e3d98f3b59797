import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium, watchPageErrors } from '../../helpers/chromium.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

/**
 * Onboarding with a real provisioning bundle from the admin CLI. Storing the key needs an OS
 * keychain, which the plain browser shell here lacks; the refusals before that point are covered.
 */
describe('onboarding "Zugang einrichten" with a real bundle', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  let pki: PkiHome;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-onboarding-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    pki = await createPkiHome();
    browser = await launchChromium();
    shell = await startShell(profile);
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
    pki?.cleanup();
  });

  it('is shown first without an identity, and explains a wrong file and a wrong passphrase in German', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchPageErrors(page);
    await page.goto(shell!.url);
    await page.getByRole('heading', { level: 1, name: 'Zugang einrichten' }).waitFor();
    const form = page.getByTestId('view-onboarding');

    await form.getByRole('button', { name: 'Einrichten', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('onboarding-error').textContent())
      .toContain('Bitte wählen Sie zuerst die Zugangsdatei aus.');

    const notABundle = join(profile, 'urlaub.json');
    writeFileSync(notABundle, '{"hello": "world"}');
    await page.getByTestId('bundle-file').setInputFiles(notABundle);
    await form.getByLabel('Kennwort').fill('irgendwas');
    await form.getByRole('button', { name: 'Einrichten', exact: true }).click();
    await expect.poll(() => page.getByTestId('onboarding-error').textContent()).toContain('keine gültige Zugangsdatei');

    const anna = pki.users.anna!;
    await page.getByTestId('bundle-file').setInputFiles(anna.bundleFile);
    await form.getByLabel('Kennwort').fill(`${anna.passphrase}-falsch`);
    await form.getByRole('button', { name: 'Einrichten', exact: true }).click();
    await expect.poll(() => page.getByTestId('onboarding-error').textContent()).toContain('Das Kennwort ist falsch');
    // The passphrase field is not cleared on failure (to correct a typo), the profile still has no identity.
    expect(await page.getByTestId('onboarding-result').count()).toBe(0);

    await form.getByRole('button', { name: 'Später einrichten' }).click();
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Einstellungen' }).click();
    expect(await page.getByTestId('identity-settings').textContent()).toContain('Es ist noch kein Zugang eingerichtet.');
    expect(errors).toEqual([]);
  });
});
