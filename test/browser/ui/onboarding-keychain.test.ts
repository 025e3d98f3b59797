import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { screenshot, watchPageErrors } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { planKeyring, type Keyring, type PlannedKeyring } from '../../helpers/keyring.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

/**
 * A teleworker's PC whose Secret Service is not running when she sets up her access: the shell starts
 * with a session bus address where nothing listens yet, as on a Linux login without gnome-keyring.
 * She reads why and what to do, the keyring is then started and unlocked (what the screen tells
 * her), and "Erneut versuchen" finishes the set-up without typing the passphrase again. The real PBX
 * and server stand behind the bundle, so the success state ends with a passing connection test.
 */
describe('onboarding without an OS keychain', () => {
  let rig: DeskRig;
  let planned: PlannedKeyring;
  let keyring: Keyring | undefined;
  let shell: RunningShell | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-no-keychain-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig();
    planned = planKeyring();
    shell = await startShell(profile, [], planned.env);
  }, 60_000);
  afterAll(async () => {
    await shell?.stop();
    if (keyring) await keyring.stop();
    else planned?.discard();
    await rig?.stop();
    rmSync(profile, { recursive: true, force: true });
  });

  it('explains why and how to fix it, retries without the passphrase again, then shows only the result', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(shell!.url);
    const view = page.getByTestId('view-onboarding');
    const anna = rig.pki.users.anna!;
    await page.getByTestId('bundle-file').setInputFiles(anna.bundleFile);
    await view.getByLabel('Kennwort').fill(anna.passphrase);
    await view.getByRole('button', { name: 'Einrichten', exact: true }).click();

    const help = page.getByTestId('keychain-help');
    await help.waitFor({ timeout: 20_000 });
    const text = (await help.textContent()) ?? '';
    expect(text).toContain('Der Schlüsselbund des Betriebssystems ist nicht erreichbar');
    // Why the key must live there, and the remedy per platform, this computer's (Linux) first.
    expect(text).toContain('ausschließlich im Schlüsselbund des Betriebssystems');
    expect(text).toContain('gnome-keyring-daemon --unlock');
    expect(text).toContain('KWallet');
    expect(text).toContain('D-Bus');
    expect((await help.locator('dt').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      'Linux (dieser Computer)',
      'Windows',
      'macOS',
    ]);
    expect(text).toContain('Anmeldeinformationsverwaltung');
    expect(text).toContain('nach 10 Minuten ohne Erfolg gelöscht');
    // The explanation replaces the bare one-line error; nothing was stored.
    expect(await page.getByTestId('onboarding-error').count()).toBe(0);
    expect(await page.getByTestId('onboarding-result').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('keychain-title');
    expect(existsSync(join(profile, 'identity', 'identity.json'))).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'onboarding-keychain-de-light');
    // The other looks of the same state: contrast in dark, the English text's lengths.
    for (const look of [
      { language: 'de', theme: 'dark' },
      { language: 'en', theme: 'light' },
    ]) {
      expect(await invokeInPage(page, 'settings.set', look)).toMatchObject({ ok: true });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(look.theme);
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(look.language);
      await help.waitFor();
      expect(await seriousAxeViolations(page), `${look.language} ${look.theme}`).toEqual([]);
    }
    expect(await invokeInPage(page, 'settings.set', { language: 'de', theme: 'light' })).toMatchObject({ ok: true });
    await expect.poll(() => help.getByRole('button').textContent()).toContain('Erneut versuchen');

    // The remedy: the keyring now runs and is unlocked. The passphrase field still holds what she typed.
    keyring = await planned.start();
    await help.getByRole('button', { name: 'Erneut versuchen' }).click();

    const result = page.getByTestId('onboarding-result');
    await Promise.race([
      result.waitFor({ timeout: 20_000 }),
      page
        .getByTestId('onboarding-error')
        .waitFor({ timeout: 20_000 })
        .then(async () => {
          throw new Error(
            `retry refused: ${await page.getByTestId('onboarding-error').textContent()} / ${shell!.output().slice(-2000)}`,
          );
        }),
    ]);
    // Only the result: no form above it, no explanation left over, the heading has the focus.
    expect(await view.locator('form').count()).toBe(0);
    expect(await page.getByTestId('bundle-file').count()).toBe(0);
    expect(await view.getByLabel('Kennwort').count()).toBe(0);
    expect(await help.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-title');
    const shown = (await result.textContent()) ?? '';
    expect(shown).toContain('Zugang eingerichtet');
    expect(shown).toContain('Anna Schmidt');
    expect(shown).toContain('Wie es weitergeht');
    expect(shown).toContain('Einstellungen → Zugang');
    await expect.poll(() => page.getByTestId('check-pbx').getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
    await expect.poll(() => page.getByTestId('check-server').getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'onboarding-done-de-light');
    // The key went to the keychain: the profile holds only the encrypted identity, no safe-storage file.
    expect(readdirSync(join(profile, 'identity'))).toEqual(['identity.json']);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
  it('clears the passphrase from the form after 10 minutes without success and asks for it again', async () => {
    // Its own shell whose keyring never comes, and a page clock that can skip ten minutes.
    const neverStarted = planKeyring();
    const profileB = mkdtempSync(join(tmpdir(), 'vermittlung-no-keychain-b-'));
    const shellB = await startShell(profileB, [], neverStarted.env);
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await context.clock.install();
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      await page.goto(shellB.url);
      const view = page.getByTestId('view-onboarding');
      const anna = rig.pki.users.anna!;
      await page.getByTestId('bundle-file').setInputFiles(anna.bundleFile);
      await view.getByLabel('Kennwort').fill(anna.passphrase);
      await view.getByRole('button', { name: 'Einrichten', exact: true }).click();
      const help = page.getByTestId('keychain-help');
      await help.waitFor({ timeout: 20_000 });

      await page.clock.fastForward('09:50');
      expect(await view.getByLabel('Kennwort').inputValue()).toBe(anna.passphrase);
      await page.clock.fastForward('00:20');
      await expect.poll(() => view.getByLabel('Kennwort').inputValue()).toBe('');
      expect(await page.getByTestId('passphrase-forgotten').textContent()).toContain(
        'aus Sicherheitsgründen aus dem Formular gelöscht',
      );
      // "Erneut versuchen" now asks for the passphrase instead of trying without one.
      await help.getByRole('button', { name: 'Erneut versuchen' }).click();
      await expect.poll(() => page.getByTestId('onboarding-error').textContent()).toContain('Bitte geben Sie das Kennwort ein.');
      expect(existsSync(join(profileB, 'identity', 'identity.json'))).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await shellB.stop();
      neverStarted.discard();
      rmSync(profileB, { recursive: true, force: true });
    }
  }, 90_000);
});
