import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../helpers/app-shell.js';
import { launchChromium, screenshot, watchPageErrors } from '../helpers/chromium.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'renderer', 'index.html'));

describe('the app in Chromium through the browser shell', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-profile-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
  });

  it('loads, switches language to English and back, and keeps a setting across a restart', async () => {
    shell = await startShell(profile);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchPageErrors(page);

    await page.goto(shell.url);
    await expect.poll(() => page.url()).toBe(`${shell.origin}/`);
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).waitFor();
    // Without an identity the app opens on "Zugang einrichten", and the frame stays usable around it.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Zugang einrichten');
    await screenshot(page, 'foundation-first-start-de');

    await page.getByRole('link', { name: 'Einstellungen' }).click();
    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByRole('link', { name: 'Settings' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Settings');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await screenshot(page, 'foundation-settings-en');

    await page.getByRole('radio', { name: 'Deutsch' }).check();
    await page.getByRole('link', { name: 'Einstellungen' }).waitFor();
    await page.getByRole('radio', { name: 'Dunkel' }).check();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect
      .poll(() => JSON.parse(readFileSync(join(profile, 'settings.json'), 'utf8')) as unknown)
      .toMatchObject({ language: 'de', theme: 'dark' });
    await screenshot(page, 'foundation-settings-de-dark');

    expect(errors).toEqual([]);

    // Restart the shell: a new process, a new token, the same profile. The old page's event socket
    // failing to reconnect meanwhile is expected, so errors are collected afresh after the reload.
    await shell.stop();
    shell = await startShell(profile);
    await page.goto(shell.url);
    errors.length = 0;
    await page.getByRole('link', { name: 'Einstellungen' }).click();
    expect(await page.getByRole('radio', { name: 'Dunkel' }).isChecked()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('a page without the token gets 401, and the old token stops working after a restart', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${shell!.origin}/`);
    expect(response?.status()).toBe(401);
    const stale = await page.goto(`${shell!.origin}/?token=${'A'.repeat(43)}`);
    expect(stale?.status()).toBe(401);
    await context.close();
  });
});
