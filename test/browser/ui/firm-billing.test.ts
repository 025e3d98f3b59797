import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berlinDate } from '../../../renderer/src/lib/time/berlin.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type Desk, type DeskRig } from '../../helpers/desk-rig.js';
import { DEFAULT_USERS } from '../../helpers/pki.js';
import { parseCsv } from '../../helpers/semicolon-csv.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const root = join(import.meta.dirname, '..', '..', '..');
const rendererBuilt = existsSync(join(root, 'dist', 'renderer', 'index.html'));
/** A change on one desk reaches the server and the other desks: about a second, far more on a loaded machine. */
const SYNC_MS = 45_000;

/**
 * The Firmen screen's billing on the real stack: the lead keeps a firm's items billed per piece
 * (add, a refused entry in German, edit, delete) and downloads any firm's report, which bills the
 * item the server received through sync; the craftsman downloads his own firm's report there and
 * sees no items; a teleworker sees no billing at all. The lead's overview with the budget bar is
 * the README's picture.
 */
describe('Firmen: reports and billed items', () => {
  let rig: DeskRig;
  let lead: Desk;
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-firm-billing-'));
  const today = berlinDate(Date.now());
  const month = today.slice(0, 7);
  const firstOfMonth = `${month}-01`;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig({
      pki: { users: [...DEFAULT_USERS, { id: 'lea', name: 'Lea Leitung', tenants: [], role: 'lead' }] },
    });
    lead = await rig.desk('lea', 'firms', { bypassCSP: true });
  }, 240_000);
  afterAll(async () => {
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const section = (page: Page, tenant: string) => page.locator(`[data-testid="firm-billing-section"][data-tenant="${tenant}"]`);
  const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ ]+/g, ' ');

  it('lets the lead add, correct and delete items, and bills them on the report she downloads', async () => {
    const { page } = lead;
    // The contracts as the lead saves them (the contract form is tested elsewhere): per call for the
    // joinery, a budget for the plumber, both from the first of this month.
    const base = {
      takt: { firstSeconds: 60, nextSeconds: 60 },
      countHold: true,
      countAfterCallWork: false,
      freeBelowSeconds: 0,
      vatBasisPoints: 1900,
      validFrom: firstOfMonth,
    };
    expect(
      await invokeInPage(page, 'contracts.save', {
        tenant: 'tischlerei',
        contract: { ...base, model: 'per_call', perCallCents: 250 },
      }),
    ).toMatchObject({ ok: true });
    expect(
      await invokeInPage(page, 'contracts.save', {
        tenant: 'sanitaer',
        contract: { ...base, model: 'budget', period: 'month', includedMinutes: 60, feeCents: 9900, extraMinuteCents: 150 },
      }),
    ).toMatchObject({ ok: true });

    await expect.poll(() => page.getByTestId('firm-billing-section').count(), { timeout: SYNC_MS }).toBe(2);
    const joinery = section(page, 'tischlerei');
    await joinery.locator('summary').click();
    const form = joinery.getByTestId('billing-item-form');
    await form.getByLabel('Beschreibung').fill('Briefversand');
    await form.getByLabel('Menge').fill('0');
    await form.getByLabel('Einzelpreis (€)').fill('0,95');
    await form.getByRole('button', { name: 'Posten hinzufügen' }).click();
    expect(await joinery.getByRole('alert').textContent()).toBe('Die Menge muss eine ganze Zahl von 1 bis 10.000 sein.');
    expect(await joinery.getByTestId('billing-item').count()).toBe(0);
    await form.getByLabel('Menge').fill('2');
    await form.getByLabel('Einzelpreis (€)').fill('0,9x');
    await form.getByRole('button', { name: 'Posten hinzufügen' }).click();
    expect(await joinery.getByRole('alert').textContent()).toBe(
      'Bitte einen Einzelpreis wie 0,95 eingeben (höchstens 10.000,00 €).',
    );
    await form.getByLabel('Einzelpreis (€)').fill('0,95');
    await form.getByRole('button', { name: 'Posten hinzufügen' }).click();
    await expect.poll(() => joinery.getByTestId('billing-item').count()).toBe(1);
    const row = joinery.getByTestId('billing-item').first();
    const cells = async () => (await row.locator('td').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
    expect((await cells()).slice(0, 5)).toEqual([today.split('-').reverse().join('.'), 'Briefversand', '2', '0,95 €', '1,90 €']);

    // Corrected: three letters, not two.
    await row.getByRole('button', { name: 'Bearbeiten' }).click();
    await form.getByLabel('Menge').fill('3');
    await form.getByRole('button', { name: 'Änderung speichern' }).click();
    await expect.poll(async () => (await cells())[4]).toBe('2,85 €');
    // One added by mistake and deleted again.
    await form.getByLabel('Beschreibung').fill('Schlüsselaufbewahrung');
    await form.getByLabel('Einzelpreis (€)').fill('5');
    await form.getByRole('button', { name: 'Posten hinzufügen' }).click();
    await expect.poll(() => joinery.getByTestId('billing-item').count()).toBe(2);
    await joinery
      .getByTestId('billing-item')
      .filter({ hasText: 'Schlüsselaufbewahrung' })
      .getByRole('button', { name: 'Löschen' })
      .click();
    await expect.poll(() => joinery.getByTestId('billing-item').count()).toBe(1);
    expect(await seriousAxeViolations(page, '[data-testid="view-firms"]')).toEqual([]);

    // The report of this month, from the server: the item arrives there through sync.
    await joinery.getByTestId('firm-report-month').fill(month);
    let text = '';
    await expect
      .poll(
        async () => {
          const [download] = await Promise.all([page.waitForEvent('download'), joinery.getByTestId('firm-report-pdf').click()]);
          expect(download.suggestedFilename()).toBe(`Leistungsnachweis-tischlerei-${month}-vorlaeufig.pdf`);
          const file = join(dir, 'lead.pdf');
          await download.saveAs(file);
          text = pdfText(file);
          return /Summe netto.* 2,85 €/.test(text) && !text.includes('Schlüsselaufbewahrung');
        },
        { timeout: SYNC_MS, interval: 1000 },
      )
      .toBe(true);
    expect(text).toContain('Tischlerei Holzwurm');
    expect(text).toMatch(/Briefversand .*3 .*0,95 € .*2,85 €/);
    // 2,85 € + 19 % (0,5415 → 0,54 €) = 3,39 €.
    expect(text).toContain('Summe brutto 3,39 €');
    // Any firm's, not only the one she just edited.
    await section(page, 'sanitaer').locator('summary').click();
    const [other] = await Promise.all([
      page.waitForEvent('download'),
      section(page, 'sanitaer').getByTestId('firm-report-csv').click(),
    ]);
    expect(other.suggestedFilename()).toMatch(/^Leistungsnachweis-sanitaer-\d{4}-\d{2}(-vorlaeufig)?\.csv$/);
  }, 120_000);

  it("gives the craftsman his own firm's report there, without items, and a teleworker no billing", async () => {
    const max = await rig.desk('max', 'firms');
    const own = section(max.page, 'tischlerei');
    await own.waitFor();
    expect(await max.page.getByTestId('firm-billing-section').count()).toBe(1);
    expect(await own.getByTestId('billing-item-form').count()).toBe(0);
    await own.getByTestId('firm-report-month').fill(month);
    const csvFile = join(dir, 'max.csv');
    await expect
      .poll(
        async () => {
          const [csv] = await Promise.all([max.page.waitForEvent('download'), own.getByTestId('firm-report-csv').click()]);
          expect(csv.suggestedFilename()).toBe(`Leistungsnachweis-tischlerei-${month}-vorlaeufig.csv`);
          await csv.saveAs(csvFile);
          return parseCsv(readFileSync(csvFile, 'utf8').slice(1)).find((r) => r[0] === 'Posten')?.[3];
        },
        { timeout: SYNC_MS, interval: 1000 },
      )
      .toBe('Briefversand');
    expect(parseCsv(readFileSync(csvFile, 'utf8').slice(1)).find((r) => r[0] === 'Summe netto')?.[13]).toBe('2,85');

    const anna = await rig.desk('anna', 'firms');
    await anna.page.getByTestId('firm-overview').waitFor();
    expect(await anna.page.getByTestId('firm-billing-section').count()).toBe(0);
  }, 120_000);

  it("shows the lead each budget firm's consumption as a bar (the README's picture)", async () => {
    const { page } = lead;
    // The server publishes consumption soon after commits (the contract saved above), after CDRs and every minute.
    await page.locator('[data-testid="budget-bar"][data-tenant="sanitaer"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('[data-testid="budget-bar"][data-tenant="tischlerei"]').count()).toBe(0);
    // The joinery's billing in view: the plumber's section (opened above) closed again.
    await section(page, 'sanitaer').locator('summary').click();
    const joinery = section(page, 'tischlerei');
    await Promise.all([page.waitForEvent('download'), joinery.getByTestId('firm-report-pdf').click()]);
    // The status line belongs to the firm whose file was saved, not to every firm's section.
    expect(await joinery.getByTestId('firm-report-status').textContent()).toContain(
      `Leistungsnachweis-tischlerei-${month}-vorlaeufig.pdf`,
    );
    expect(await section(page, 'sanitaer').getByTestId('firm-report-status').count()).toBe(0);
    const file = await screenshot(page, 'firms-lead-de-light');
    mkdirSync(join(root, 'docs', 'screenshots'), { recursive: true });
    copyFileSync(file, join(root, 'docs', 'screenshots', 'firms-lead-de-light.png'));
  }, 120_000);
});
