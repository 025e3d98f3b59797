import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireVersionRange } from '../../../protocol/index.js';
import { startSyncServer, type RunningServer } from '../../../server/server.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { invokeInPage } from '../../helpers/ui.js';

/**
 * The sync server refuses the app's wire version (426 unsupported_wire_version): the status bar says
 * in German which side needs an update, instead of an error or an endless "nicht erreichbar". The
 * rig's server is replaced, on the same port and home, by one of another build: first one that no
 * longer speaks the app's version 1 (min 2), then one that speaks only versions below it (max 0),
 * as a server older than the app would. Local edits wait meanwhile and flow once the versions match.
 */
/** The status bar's height and whether each of its items ends inside it (none cut off at the edge). */
function barLayout(page: Page): Promise<{ height: number; inside: boolean; cut: boolean }> {
  return page.getByTestId('status-bar').evaluate((bar) => {
    const box = bar.getBoundingClientRect();
    const text = bar.querySelector('[data-testid="status-sync"] .text');
    return {
      height: Math.round(box.height),
      inside: [...bar.children].every((item) => item.getBoundingClientRect().right <= box.right + 0.5),
      cut: text !== null && text.scrollWidth > text.clientWidth,
    };
  });
}

/**
 * At 1280 px the long state keeps the bar as high as "online" did (one line, no wrap): the sync text
 * ends in an ellipsis, the tooltip has all of it, and so has the accessibility tree.
 */
async function expectOneLine(page: Page, short: { height: number }, state: string): Promise<void> {
  const full = `Synchronisierung: ${state}`;
  const layout = await barLayout(page);
  expect(layout).toEqual({ height: short.height, inside: true, cut: true });
  const item = page.getByTestId('status-sync');
  expect(await item.getAttribute('title')).toBe(full);
  expect(await page.getByTestId('status-bar').ariaSnapshot()).toContain(full);
  await screenshot(page, 'status-bar-long-sync-text');
}

describe('a sync server that refuses the app wire version, in the status bar', () => {
  let rig: DeskRig;
  let other: RunningServer | undefined;

  const otherBuild = async (wireVersions: WireVersionRange) => {
    await other?.close();
    other = await startSyncServer({
      home: rig.pki.home,
      port: rig.stack.info.ports.server!,
      host: '127.0.0.1',
      log: () => undefined,
      wireVersions,
    });
  };

  beforeAll(async () => {
    rig = await startDeskRig();
  }, 90_000);
  afterAll(async () => {
    await other?.close();
    await rig?.stop();
  });

  it('shows "Die App ist zu alt …" and "Der Server ist älter …", keeps the edits, and syncs them once the versions match', async () => {
    const { page, errors } = await rig.desk('anna', 'contacts');
    const bar = page.getByTestId('status-sync');
    const barText = async () => ((await bar.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const status = async () =>
      ((await invokeInPage(page, 'sync.status', null)) as { value: { state: string; pending: number } }).value;
    await expect.poll(barText, { timeout: 15_000 }).toBe('Synchronisierung: online');
    expect(page.viewportSize()?.width).toBe(1280);
    const oneLine = await barLayout(page);

    await rig.stack.stopServer();
    await otherBuild({ min: 2, max: 3 });
    // the live socket's next reconnect (at most 4 s) meets the refusal
    await expect
      .poll(barText, { timeout: 15_000 })
      .toBe('Synchronisierung: Die App ist zu alt für den Server – bitte aktualisieren');
    expect(await bar.getAttribute('data-state')).toBe('app_outdated');

    // An edit waits; it neither wakes a retry nor turns the state into an error.
    const created = (await invokeInPage(page, 'contacts.create', {
      tenant: 'tischlerei',
      name: 'Vera Versuch',
      phones: [],
    })) as { ok: boolean };
    expect(created.ok).toBe(true);
    await expect
      .poll(barText, { timeout: 10_000 })
      .toBe('Synchronisierung: Die App ist zu alt für den Server – bitte aktualisieren · 1 Änderung ausstehend');
    await expectOneLine(page, oneLine, 'Die App ist zu alt für den Server – bitte aktualisieren · 1 Änderung ausstehend');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await status()).toMatchObject({ state: 'app_outdated', pending: 1 });
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toMatch(/426|unsupported_wire_version|Error:/);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'sync-app-outdated');

    // "Sync now" tries once more, against a server older than the app.
    await otherBuild({ min: 0, max: 0 });
    expect(await status()).toMatchObject({ state: 'app_outdated' });
    await invokeInPage(page, 'sync.now', null);
    await expect
      .poll(barText, { timeout: 10_000 })
      .toBe('Synchronisierung: Der Server ist älter als die App – bitte die IT verständigen · 1 Änderung ausstehend');
    expect(await bar.getAttribute('data-state')).toBe('server_outdated');
    await expectOneLine(page, oneLine, 'Der Server ist älter als die App – bitte die IT verständigen · 1 Änderung ausstehend');
    // At the window's minimum width (900 px, electron/main/security.ts) every item is still whole and
    // in the bar: the labels take their short form (the long one is still read out), the sync text
    // and the hint are cut.
    const prefixWidths = () =>
      page
        .getByTestId('status-bar')
        .evaluate((bar) =>
          [...bar.querySelectorAll('.prefix')].map((prefix) => Math.round(prefix.getBoundingClientRect().width)),
        );
    expect((await prefixWidths()).every((width) => width > 20)).toBe(true);
    await page.setViewportSize({ width: 900, height: 700 });
    expect(await barLayout(page)).toEqual({ height: oneLine.height, inside: true, cut: true });
    // "Sync: Der …" rather than "Synchronisierung: Der …", but never the state without its label.
    expect((await prefixWidths()).every((width) => width > 15)).toBe(true);
    const presence = page.getByTestId('status-presence');
    expect(await presence.evaluate((button) => button.scrollWidth <= button.clientWidth)).toBe(true);
    expect(await presence.textContent()).toContain('Verfügbar');
    const snapshot = await page.getByTestId('status-bar').ariaSnapshot();
    for (const label of ['Telefonanlage:', 'Telefon:', 'Synchronisierung: Der Server ist älter', 'Mein Status: Verfügbar']) {
      expect(snapshot).toContain(label);
    }
    await screenshot(page, 'status-bar-900px');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The rig's own server speaks version 1 again: the kept edit goes through.
    await other?.close();
    other = undefined;
    await rig.stack.restartServer();
    await invokeInPage(page, 'sync.now', null);
    await expect.poll(barText, { timeout: 15_000 }).toBe('Synchronisierung: online');
    expect(await status()).toMatchObject({ state: 'online', pending: 0 });
    expect(errors).toEqual([]);
  }, 120_000);
});
