import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShell, type RunningShell } from '../../helpers/app-shell.js';
import { launchChromium, screenshot } from '../../helpers/chromium.js';
import { invokeInPage, seedProfile, seriousAxeViolations, type AxeViolation } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

type Language = 'de' | 'en';
type Theme = 'light' | 'dark';

/** Every screen of the desk and how to reach it from anywhere (keyboard first, as a user would). */
const SCREENS: { name: string; open: (page: Page) => Promise<void> }[] = [
  {
    name: 'onboarding',
    open: async (page) => {
      await nav(page, 6, 'view-settings');
      await page.getByTestId('identity-settings').getByRole('button').click();
      await page.getByTestId('view-onboarding').waitFor();
    },
  },
  { name: 'phone', open: (page) => nav(page, 1, 'view-phone') },
  {
    name: 'contacts',
    open: async (page) => {
      await nav(page, 2, 'view-contacts');
      await page.getByRole('listbox').getByRole('option').first().click();
      await page.getByTestId('contact-detail').waitFor();
    },
  },
  {
    name: 'contact-edit',
    open: async (page) => {
      await nav(page, 2, 'view-contacts');
      await page.getByRole('listbox').getByRole('option').first().click();
      await page
        .getByTestId('contact-detail')
        .getByRole('button')
        .filter({ hasText: /Bearbeiten|Edit/ })
        .click();
      await page.getByTestId('contact-form').waitFor();
    },
  },
  {
    name: 'notes',
    open: async (page) => {
      await nav(page, 3, 'view-notes');
      await page.getByTestId('note').first().waitFor();
    },
  },
  {
    name: 'history',
    open: async (page) => {
      await nav(page, 4, 'view-history');
      await page.getByTestId('call-row').first().waitFor();
    },
  },
  { name: 'team', open: (page) => nav(page, 5, 'view-team') },
  {
    // With the booking form open and a date it rejects: its German fields and their error state are judged too.
    name: 'agenda',
    open: async (page) => {
      await nav(page, 7, 'view-agenda');
      await page.getByRole('button', { name: /^(Neuer Termin|New appointment)$/ }).click();
      const date = page.getByTestId('booking-form').locator('input').first();
      await date.fill('31.02.2027');
      await date.blur();
      await page.getByTestId('booking-form').locator('[aria-invalid="true"]').waitFor();
    },
  },
  {
    name: 'firms',
    open: async (page) => {
      await nav(page, 8, 'view-firms');
      await page.locator('[data-testid="firm-row"][data-tenant="schreinerei"]:not([data-mode="none"])').waitFor();
      // The Schreinerei's week, read-only without an identity: its days, closure and Bundesland are judged too.
      await page.locator('details', { hasText: 'Schreinerei' }).locator('summary').click();
    },
  },
  {
    name: 'settings',
    open: async (page) => {
      await nav(page, 6, 'view-settings');
      await page.getByTestId('audio-settings').locator('select').first().waitFor();
    },
  },
  {
    name: 'help',
    open: async (page) => {
      await nav(page, 2, 'view-contacts');
      await page.getByRole('heading', { level: 1 }).click();
      await page.keyboard.press('?');
      await page.getByTestId('help-overlay').waitFor();
    },
  },
];

async function nav(page: Page, key: number, testId: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(`Alt+${key}`);
  await page.getByTestId(testId).waitFor();
}

async function applyLook(page: Page, language: Language, theme: Theme): Promise<void> {
  expect(await invokeInPage(page, 'settings.set', { language, theme })).toMatchObject({ ok: true });
  await expect
    .poll(() => page.evaluate(() => [document.documentElement.lang, document.documentElement.dataset.theme]))
    .toEqual([language, theme]);
}

describe('every screen: axe-core and screenshots (de/en × light/dark × 1280×800/1920×1080)', () => {
  let browser: Browser;
  let shell: RunningShell | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-screens-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first (npm test does)');
    seedProfile(profile, 12);
    browser = await launchChromium();
    shell = await startShell(profile);
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    it(`${viewport.width}×${viewport.height}: no serious or critical axe violation; one screenshot per screen, language and theme`, async () => {
      // axe-core arrives as a script tag, which the app's CSP would rightly refuse.
      const context = await browser.newContext({ viewport, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(shell!.url);
      await page.getByRole('button', { name: 'Später einrichten' }).click();
      const found: Record<string, AxeViolation[]> = {};
      // axe once per screen, theme and language at the first size; the layout is the same at the second.
      const runAxe = viewport.width === 1280;
      for (const language of ['de', 'en'] as const) {
        for (const theme of ['light', 'dark'] as const) {
          await applyLook(page, language, theme);
          for (const screen of SCREENS) {
            await screen.open(page);
            // Let transitions and async labels settle before judging contrast.
            await page.waitForTimeout(150);
            if (runAxe) {
              const violations = await seriousAxeViolations(page);
              if (violations.length) found[`${screen.name} ${language} ${theme}`] = violations;
            }
            await screenshot(page, `ui-${screen.name}-${language}-${theme}-${viewport.width}x${viewport.height}`);
          }
        }
      }
      await applyLook(page, 'de', 'light');
      await context.close();
      expect(found).toEqual({});
    });
  }
});
