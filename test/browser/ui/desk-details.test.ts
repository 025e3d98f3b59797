import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium, screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage, seedProfile, seriousAxeViolations, type SeededProfile } from '../../helpers/ui.js';

/**
 * The small things a new user meets on the first day: a status bar that says "not set up" instead
 * of contradicting lamps, labels that stay at the minimum width, a "?" list with every key, "/" on
 * every screen, the same name for the access section everywhere, the global shortcut in German key
 * names, and a contact's own calls and notes on its page.
 */
const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

async function nav(page: Page, key: number, testId: string): Promise<void> {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(`Alt+${key}`);
  await page.getByTestId(testId).waitFor();
}

describe('a desk without an identity yet', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  let page: Page;
  let seeded: SeededProfile;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-details-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    seeded = seedProfile(profile);
    browser = await launchChromium();
    shell = await startShell(profile);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    page = await context.newPage();
    await page.goto(shell.url);
    await page.getByRole('button', { name: 'Später einrichten' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
    rmSync(profile, { recursive: true, force: true });
  });

  it('says "Nicht eingerichtet" in the status bar instead of PBX, phone and presence lamps', async () => {
    await nav(page, 1, 'view-phone');
    const bar = page.getByTestId('status-bar');
    await expect.poll(async () => squash(await bar.textContent())).toContain('Nicht eingerichtet');
    const text = squash(await bar.textContent());
    for (const lamp of ['Telefonanlage', 'Telefon:', 'Verfügbar', 'Mein Status']) expect(text).not.toContain(lamp);
    expect(await page.getByTestId('status-pbx').count()).toBe(0);
    expect(await page.getByTestId('status-presence').count()).toBe(0);
    expect(await seriousAxeViolations(page, '[data-testid="status-bar"]')).toEqual([]);
    await screenshot(page, 'status-bar-not-set-up');
    // The state leads to where it is resolved.
    await page.getByTestId('status-not-set-up').click();
    await page.getByTestId('view-onboarding').waitFor();
    await page.getByRole('button', { name: 'Später einrichten' }).click();
  });

  it('points the phone screen to the section by its name, "Zugang"', async () => {
    await nav(page, 1, 'view-phone');
    const text = squash(await page.getByTestId('view-phone').textContent());
    expect(text).toContain('Einstellungen → Zugang');
    await nav(page, 6, 'view-settings');
    expect(squash(await page.getByTestId('identity-settings').textContent())).toContain('Zugang');
  });

  it('names the global shortcut with German keys, and English ones in English', async () => {
    await nav(page, 6, 'view-settings');
    const settings = page.getByTestId('view-settings');
    await expect.poll(async () => squash(await settings.textContent())).toContain('Strg+Umschalt+Leertaste');
    expect(squash(await settings.textContent())).not.toContain('CommandOrControl');
    expect(await invokeInPage(page, 'settings.set', { language: 'en' })).toMatchObject({ ok: true });
    await expect.poll(async () => squash(await settings.textContent())).toContain('Ctrl+Shift+Space');
    expect(await invokeInPage(page, 'settings.set', { language: 'de' })).toMatchObject({ ok: true });
    await expect.poll(async () => squash(await settings.textContent())).toContain('Strg+Umschalt+Leertaste');
  });

  it('lists every screen key and the in-call keys under "?"', async () => {
    await nav(page, 3, 'view-notes');
    await page.keyboard.press('?');
    const help = page.getByTestId('help-overlay');
    await help.waitFor();
    const text = squash(await help.textContent());
    for (const keys of ['Alt+1 … Alt+9', 'Termine', 'Alt+A', 'Alt+E', 'Alt+H', 'Alt+M', 'Alt+T', 'Alt+K', 'Alt+B', 'Alt+N']) {
      expect(text).toContain(keys);
    }
    expect(text).toContain('Während eines Anrufs');
    expect(await seriousAxeViolations(page, '[data-testid="help-overlay"]')).toEqual([]);
    await screenshot(page, 'help-overlay-all-keys');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });

  it('"/" reaches the search from every screen, and stays a character in a field', async () => {
    for (const [key, view] of [
      [1, 'view-phone'],
      [3, 'view-notes'],
      [4, 'view-history'],
      [5, 'view-team'],
      [6, 'view-settings'],
      [7, 'view-agenda'],
      [2, 'view-contacts'],
    ] as const) {
      await nav(page, key, view);
      await page.keyboard.press('/');
      await page.getByTestId('view-contacts').waitFor();
      await expect
        .poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), { timeout: 3000 })
        .toBe('search');
    }
    await page.keyboard.type('Bäcker/');
    expect(await page.getByRole('searchbox').inputValue()).toBe('Bäcker/');
    await page.getByRole('searchbox').fill('');
  });

  it("shows a contact's own calls and notes on its page, and a new note at once", async () => {
    await nav(page, 2, 'view-contacts');
    const anna = seeded.contacts[0]!;
    await page
      .getByRole('listbox')
      .getByRole('option', { name: /Anna Bäcker/ })
      .click();
    const detail = page.getByTestId('contact-detail');
    await detail.waitFor();
    // The seeded call from her mobile number and the note about it, nothing of the other firm's.
    await expect.poll(() => detail.getByTestId('contact-call').count()).toBe(1);
    expect(squash(await detail.getByTestId('contact-call').textContent())).toMatch(/eingehend.*angenommen/);
    await expect.poll(() => detail.getByTestId('contact-note').count()).toBe(1);
    expect(squash(await detail.getByTestId('contact-notes').textContent())).toContain('Küchenfront ausmessen');
    expect(squash(await detail.textContent())).not.toContain('Sicherung fliegt raus');
    await invokeInPage(page, 'notes.create', {
      tenant: anna.tenant,
      contact_id: anna.id,
      subject: 'Angebot Einbauschrank',
      body: 'Möchte ein Angebot bis Freitag.',
    });
    await expect.poll(() => detail.getByTestId('contact-note').count()).toBe(2);
    expect(squash(await detail.getByTestId('contact-notes').textContent())).toContain('Angebot Einbauschrank');
    // A contact without any shows that plainly.
    await page
      .getByRole('listbox')
      .getByRole('option', { name: /Jürgen Möller/ })
      .click();
    await expect.poll(async () => squash(await detail.textContent())).toContain('Noch keine Anrufe mit diesem Kontakt.');
    expect(squash(await detail.textContent())).toContain('Noch keine Notizen zu diesem Kontakt.');
    await page
      .getByRole('listbox')
      .getByRole('option', { name: /Anna Bäcker/ })
      .click();
    await expect.poll(() => detail.getByTestId('contact-note').count()).toBe(2);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'contact-detail-activity');
  });
});

describe('the status bar at the minimum window width', () => {
  let rig: DeskRig;
  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    rig = await startDeskRig();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('keeps a visible label on every lamp at 900 px, on one line', async () => {
    const { page } = await rig.desk('anna', 'phone', { viewport: { width: 900, height: 700 }, bypassCSP: true });
    const bar = page.getByTestId('status-bar');
    await expect.poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 15_000 }).toBe('registered');
    const labels = () =>
      bar.evaluate((element) =>
        ['status-pbx', 'status-phone', 'status-sync', 'status-presence'].map((id) => {
          const item = element.querySelector(`[data-testid="${id}"]`)!;
          const prefix = item.querySelector('.prefix')!;
          return {
            id,
            width: Math.round(prefix.getBoundingClientRect().width),
            inside: item.getBoundingClientRect().right <= element.getBoundingClientRect().right + 0.5,
          };
        }),
      );
    for (const label of await labels()) {
      expect(label.width, label.id).toBeGreaterThan(15);
      expect(label.inside, label.id).toBe(true);
    }
    // One line: the bar is as high as one item.
    const heights = await bar.evaluate((element) => [
      element.clientHeight,
      element.querySelector('[data-testid="status-pbx"]')!.getBoundingClientRect().height,
    ]);
    expect(heights[0]!).toBeLessThan(heights[1]! * 2);
    // What is read out keeps the long labels.
    const snapshot = await bar.ariaSnapshot();
    for (const label of ['Telefonanlage:', 'Telefon:', 'Synchronisierung:', 'Mein Status:']) expect(snapshot).toContain(label);
    expect(await seriousAxeViolations(page, '[data-testid="status-bar"]')).toEqual([]);
    await screenshot(page, 'status-bar-900px-labels');
  });
});
