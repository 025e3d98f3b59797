import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { screenshot, watchPageErrors } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';

/**
 * The teleworker's first morning, end to end: a bundle from the admin CLI, the browser shell with a
 * real keychain (gnome-keyring on a private D-Bus), and the real PBX and server behind the URLs in
 * that bundle. Nothing is handed to the app but the file and the passphrase.
 */
describe('onboarding succeeds against the real stack', () => {
  let rig: DeskRig;
  let shell: RunningShell | undefined;
  // Its own shell, not a rig desk: the bundle goes in through the onboarding form, and the shell restarts.
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-login-ui-'));

  beforeAll(async () => {
    rig = await startDeskRig();
    shell = await startShell(profile, [], rig.keyring.env);
  });
  afterAll(async () => {
    await shell?.stop();
    await rig?.stop();
    rmSync(profile, { recursive: true, force: true });
  });

  it('imports the bundle, shows who and which firms, passes the connection test, and keeps the identity across a restart', async () => {
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchPageErrors(page);
    await page.goto(shell!.url);
    const form = page.getByTestId('view-onboarding');
    const anna = rig.pki.users.anna!;
    await page.getByTestId('bundle-file').setInputFiles(anna.bundleFile);
    await form.getByLabel('Kennwort').fill(anna.passphrase);
    await form.getByRole('button', { name: 'Einrichten', exact: true }).click();

    const result = page.getByTestId('onboarding-result');
    await Promise.race([
      result.waitFor(),
      page
        .getByTestId('onboarding-error')
        .waitFor()
        .then(async () => {
          throw new Error(
            `import refused: ${await page.getByTestId('onboarding-error').textContent()} / log: ${shell!.output().slice(-2000)}`,
          );
        }),
    ]);
    const shown = await result.textContent();
    expect(shown).toContain('Anna Schmidt');
    expect(shown).toContain('Tischlerei Holzwurm');
    expect(shown).toContain('Sanitär Rohrfrei');
    await expect.poll(() => page.getByTestId('check-pbx').getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
    await expect.poll(() => page.getByTestId('check-server').getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
    await screenshot(page, 'onboarding-success');
    expect(errors).toEqual([]);

    // The key lives in the keychain, not in the page: after a restart the app logs in by itself.
    await shell!.stop();
    shell = await startShell(profile, [], rig.keyring.env);
    await page.goto(shell.url);
    await expect.poll(() => page.getByText('Telefonanlage: verbunden').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('view-onboarding').count()).toBe(0);
  });
});
