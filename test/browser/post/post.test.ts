import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInBerlin } from '../../../renderer/src/lib/time/berlin.js';
import { formatGermanDate } from '../../../renderer/src/lib/time/german.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type Desk, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage } from '../../helpers/ui.js';

const root = join(import.meta.dirname, '..', '..', '..');
const rendererBuilt = existsSync(join(root, 'dist', 'renderer', 'index.html'));
/** A change on one desk reaches the other through the sync server: about a second, far more on a loaded machine. */
const SYNC_MS = 45_000;

/** A screenshot for the README: in artifacts/ like every other, and copied into docs/screenshots/. */
async function docScreenshot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  mkdirSync(join(root, 'docs', 'screenshots'), { recursive: true });
  copyFileSync(file, join(root, 'docs', 'screenshots', `${name}.png`));
}

/** A three-page letter as a scanner would write it: each page with its own big number, so pages differ. */
function threePageLetter(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({ size: 'A4', margin: 60 });
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    for (let page = 1; page <= 3; page++) {
      if (page > 1) pdf.addPage();
      pdf.fontSize(22).text('Amtsgericht Tempelhof-Kreuzberg', { align: 'left' });
      pdf.moveDown().fontSize(14).text('Az. 12 C 345/26 – Tischlerei Holzwurm ./. Meier');
      pdf.moveDown().fontSize(120).text(`${page}`, { align: 'center' });
      pdf.rect(60 + page * 80, 600, 60, 60).fill('#333333');
    }
    pdf.end();
  });
}

/** How many of the canvas's pixels are not white, and a fingerprint of its content. */
function canvasInk(page: Page): Promise<{ inked: number; print: string }> {
  return page.getByTestId('viewer-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    let print = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) {
        inked++;
        print = (print * 31 + i) % 1_000_000_007;
      }
    }
    return { inked, print: String(print) };
  });
}

/**
 * The mail's way through the app on the real stack: the scanner writes a PDF into Anna's watched
 * folder, it appears in her "Posteingang erfassen" with a preview, she files it for the Tischlerei
 * with a deadline, and Max (the Tischlerei's craftsman, in his own app instance) has it on his
 * "Post" screen by sync, opens page 2 of the scan and sees the deadline in red.
 */
describe.skipIf(!rendererBuilt)('a scanned letter from the office scanner to the craftsman', () => {
  let rig: DeskRig;
  let anna: Desk;
  let max: Desk;
  const scans = mkdtempSync(join(tmpdir(), 'vermittlung-scanner-'));

  beforeAll(async () => {
    rig = await startDeskRig();
    anna = await rig.desk('anna', 'intake');
    max = await rig.desk('max', 'post');
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
    rmSync(scans, { recursive: true, force: true });
  });

  it("is filed at the teleworker and shows on the craftsman's Post screen with page 2 and the deadline", async () => {
    expect(await invokeInPage(anna.page, 'settings.set', { intakeFolder: scans })).toMatchObject({ ok: true });
    // Written beside the folder and moved in, as a scanner finishing its file.
    const partial = join(tmpdir(), `scan-${process.pid}.pdf`);
    writeFileSync(partial, await threePageLetter());
    renameSync(partial, join(scans, 'Scan_0001.pdf'));

    const file = anna.page.locator('[data-intake-id]', { hasText: 'Scan_0001.pdf' });
    await file.waitFor({ timeout: 20_000 });
    await file.getByRole('button', { name: /Scan_0001\.pdf/ }).click();
    await expect.poll(() => anna.page.getByTestId('viewer-page').textContent(), { timeout: 20_000 }).toContain('Seite 1 von 3');

    const deadline = addDays(todayInBerlin(), 2);
    const form = anna.page.getByTestId('intake-form');
    await form.getByLabel('Firma').selectOption('tischlerei');
    await form.getByLabel('Absender').fill('Amtsgericht Tempelhof-Kreuzberg');
    await form.getByLabel('Art').selectOption('gericht');
    await form.getByLabel('Betreff').fill('Ladung zum Gütetermin');
    await form.getByLabel('Frist').fill(deadline);
    await docScreenshot(anna.page, 'post-intake-teleworker');
    await form.getByRole('button', { name: 'Ablegen' }).click();
    await anna.page.getByTestId('intake-filed').waitFor();
    // Filed: it leaves the intake list and stands in the register as gescannt.
    await expect.poll(() => file.count(), { timeout: 20_000 }).toBe(0);
    const registered = anna.page.getByTestId('mail-register').locator('[data-mail-id]', { hasText: 'Amtsgericht' });
    await expect.poll(() => registered.textContent()).toContain('gescannt');

    // At the craftsman: by sync alone, unread, with the deadline red.
    const letter = max.page.locator('[data-mail-id]', { hasText: 'Amtsgericht Tempelhof-Kreuzberg' });
    await letter.waitFor({ timeout: SYNC_MS });
    expect(await max.page.getByTestId('post-unread').textContent()).toContain('1');
    // …and his desktop was asked to show it (the browser shell has no notification area; the Electron
    // host's side is test/unit/electron/main/index.desktop-wiring.test.ts).
    await expect
      .poll(() => max.hostCalls.filter((c) => c.method === 'desktop.notify').map((c) => c.input))
      .toContainEqual(
        expect.objectContaining({
          kind: 'mail',
          title: expect.stringContaining('Amtsgericht Tempelhof-Kreuzberg') as unknown,
          body: expect.stringContaining(formatGermanDate(deadline)) as unknown,
        }),
      );
    const badge = letter.getByTestId('mail-deadline');
    expect(await badge.getAttribute('data-urgency')).toBe('due');
    expect(await badge.textContent()).toContain(`Frist ${formatGermanDate(deadline)} (noch 2 Tage)`);
    expect(await badge.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');

    await letter.click();
    const detail = max.page.getByTestId('post-detail');
    // The scan is downloaded on demand (or prefetched) once the upload has reached the server.
    await expect.poll(() => detail.getByTestId('viewer-page').textContent(), { timeout: SYNC_MS }).toContain('Seite 1 von 3');
    await expect.poll(async () => (await canvasInk(max.page)).inked, { timeout: 10_000 }).toBeGreaterThan(1000);
    const first = await canvasInk(max.page);
    await detail.getByRole('button', { name: 'Nächste Seite' }).click();
    await expect.poll(() => detail.getByTestId('viewer-page').textContent()).toContain('Seite 2 von 3');
    await expect.poll(async () => (await canvasInk(max.page)).print, { timeout: 10_000 }).not.toBe(first.print);
    expect((await canvasInk(max.page)).inked).toBeGreaterThan(1000);
    // Opened is read: the unread count leaves the nav.
    await expect.poll(() => max.page.getByTestId('post-unread').count()).toBe(0);
    await docScreenshot(max.page, 'post-craftsman');

    // No CSP violation (pdf.js's worker from the app's origin, no eval) and no error on either desk.
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  });
});
