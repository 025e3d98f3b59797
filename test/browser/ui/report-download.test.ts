import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { DEFAULT_USERS } from '../../helpers/pki.js';
import { seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

/**
 * Einstellungen → Leistungsnachweis, against the real stack: the craftsman downloads his firm's month
 * as PDF and CSV through the page's own download (the desktop app's save dialog), the lead picks any
 * firm, and a teleworker has no such section. The stack's server meters nothing yet, so the report is
 * an empty, provisional month (no contract: nothing is frozen): what is checked here is the way from
 * the button to the saved file, not the figures (test/integration/billing has those).
 */
describe('Leistungsnachweis in the app', () => {
  let rig: DeskRig;
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-report-download-'));

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig({
      pki: { users: [...DEFAULT_USERS, { id: 'lea', name: 'Lea Leitung', tenants: [], role: 'lead' }] },
    });
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("saves the craftsman his firm's PDF and CSV for the month he picks", async () => {
    const { page } = await rig.desk('max', 'settings', { bypassCSP: true });
    const section = page.getByTestId('settings-report');
    await section.waitFor();
    expect(await section.getByTestId('report-firm').count()).toBe(0);
    await section.getByTestId('report-month').fill('2026-11');

    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'PDF herunterladen' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe('Leistungsnachweis-tischlerei-2026-11-vorlaeufig.pdf');
    const pdfFile = join(dir, 'max.pdf');
    await pdf.saveAs(pdfFile);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' }).replace(/[ ]+/g, ' ');
    expect(text).toContain('Tischlerei Holzwurm');
    expect(text).toContain('Zeitraum: 01.11.2026 – 30.11.2026');
    expect(text).toContain('Summe brutto 0,00 €');
    await expect.poll(() => section.getByRole('status').textContent()).toContain('vorläufig');

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'CSV herunterladen' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe('Leistungsnachweis-tischlerei-2026-11-vorlaeufig.csv');
    const csvFile = join(dir, 'max.csv');
    await csv.saveAs(csvFile);
    expect([...readFileSync(csvFile).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(await seriousAxeViolations(page, '[data-testid="settings-report"]')).toEqual([]);
    await screenshot(page, 'report-settings-craftsman-de-light');
  }, 120_000);

  it('lets the lead choose any firm, and shows a teleworker no report at all', async () => {
    const lead = await rig.desk('lea', 'settings');
    const section = lead.page.getByTestId('settings-report');
    await section.waitFor();
    const firm = section.getByTestId('report-firm');
    await expect
      .poll(async () => (await firm.locator('option').allTextContents()).sort())
      .toEqual(['Sanitär Rohrfrei', 'Tischlerei Holzwurm']);
    await firm.selectOption('sanitaer');
    await section.getByTestId('report-month').fill('2026-10');
    const [pdf] = await Promise.all([
      lead.page.waitForEvent('download'),
      section.getByRole('button', { name: 'PDF herunterladen' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe('Leistungsnachweis-sanitaer-2026-10-vorlaeufig.pdf');

    const teleworker = await rig.desk('anna', 'settings');
    await teleworker.page.getByTestId('settings-dnd').waitFor();
    expect(await teleworker.page.getByTestId('settings-report').count()).toBe(0);
  }, 120_000);
});
