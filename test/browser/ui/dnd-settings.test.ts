import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium } from '../../helpers/chromium.js';
import { invokeInPage, seedProfile, seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

// The rendered Settings section "Bei „Nicht stören“" in the browser shell: the choice and the target
// reach the profile's settings, an invalid target is named and never saved.
describe('Settings: DND abweisen | weiterleiten an …', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-dnd-settings-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    seedProfile(profile, 0);
    browser = await launchChromium();
    shell = await startShell(profile);
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
  });

  it('forward to a colleague is saved; an invalid target shows an error and keeps the old one', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(shell!.url);
    await page.getByRole('button', { name: 'Später einrichten' }).click();
    await page.keyboard.press('Alt+6');
    const section = page.getByTestId('settings-dnd');
    await section.waitFor();
    const target = section.getByRole('textbox');
    expect(await target.isDisabled()).toBe(true);

    await section.getByRole('radio', { name: 'Anrufe weiterleiten an …' }).check();
    await target.fill('Bob');
    await target.press('Enter');
    await target.blur();
    const settings = () => invokeInPage(page, 'settings.get', undefined) as Promise<{ value: Record<string, unknown> }>;
    await expect.poll(async () => (await settings()).value).toMatchObject({ dndAction: 'forward', dndForwardTarget: 'bob' });

    await target.fill('bob smith');
    await target.blur();
    await expect(section.getByRole('alert').textContent()).resolves.toContain('Benutzernamen');
    expect((await settings()).value).toMatchObject({ dndForwardTarget: 'bob' });
    expect(await seriousAxeViolations(page, '[data-testid="settings-dnd"]')).toEqual([]);

    await section.getByRole('radio', { name: 'Anrufe abweisen (besetzt)' }).check();
    await expect.poll(async () => (await settings()).value).toMatchObject({ dndAction: 'reject' });
    await context.close();
  }, 60_000);
});
