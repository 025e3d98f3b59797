import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackInfo } from '../../../pbx/stack-runner.js';
import { demoContacts, earlierNotes } from '../../../scripts/demo/contacts.js';
import { FIRMS } from '../../../scripts/demo/office.js';
import { ARTIFACTS, launchChromium, screenshot, watchPageErrors } from '../../helpers/chromium.js';
import { startDemo, type RunningDemo } from '../../helpers/demo-process.js';
import { relayedPackets } from '../../helpers/rtpengine-ng.js';
import { invokeInPage } from '../../helpers/ui.js';

const FIRM = FIRMS[0]!;
const REGULAR = demoContacts(FIRMS).get(FIRM.id)!.regulars[0]!;
const EARLIER = earlierNotes(FIRM, REGULAR, 0)[0]!;
const SHOTS = ['demo-call-ringing', 'demo-call-answered', 'demo-craftsman-notes', 'demo-control'];
const LIVE_SCREENS = ['contacts', 'notes', 'team', 'settings'];
const NOTE = 'Möchte einen Termin zum Ausmessen der Küchenarbeitsplatte, nächste Woche vormittags.';

/**
 * The README's first command on a fresh machine, as a newcomer would see it: `npm run demo` in an
 * empty home makes the office, opens the desks and the customer's control page. The customer calls
 * the joinery; the teleworker's card rings with the firm, its greeting, the caller's contact name and
 * the earlier notes; she answers, both sides' audio flows through rtpengine, her note reaches the
 * craftsman's desk, she hangs up and the customer's side ends. Ctrl-C leaves no process behind.
 * The README's pictures are taken here (artifacts/demo-*.png; `DEMO_SCREENSHOTS_TO_DOCS=1` copies them
 * to docs/screenshots/).
 */
describe('npm run demo', () => {
  let home: string;
  let demo: RunningDemo | undefined;
  let browser: Browser;
  const pages: Page[] = [];
  const errors: string[][] = [];

  async function open(url: string, width = 1280, height = 800): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    errors.push(watchPageErrors(page));
    pages.push(page);
    await page.goto(url);
    return page;
  }

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'vermittlung-demo-test-'));
    [demo, browser] = await Promise.all([startDemo(join(home, 'demo')), launchChromium()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('rings the teleworker for the right firm, carries audio both ways, hands the note to the craftsman and stops cleanly', async () => {
    const running = demo!;
    const anna = await open(running.run.desks.anna!);
    const max = await open(running.run.desks.max!);
    for (const page of [anna, max])
      await expect
        .poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('registered');
    await max.goto(`${new URL(running.run.desks.max!).origin}/#/notes`);

    // The other screens, as the README shows them: connected to the PBX and the server, never "nicht
    // verbunden"; before the call, whose card stays on the desk after it ends.
    const origin = new URL(running.run.desks.anna!).origin;
    // The firms' names come from the server's directory: the first sync has brought them.
    await expect
      .poll(async () => ((await invokeInPage(anna, 'tenants.list', null)) as { value?: unknown[] }).value?.length, {
        timeout: 30_000,
      })
      .toBe(FIRMS.length);
    for (const view of LIVE_SCREENS) {
      await anna.goto(`${origin}/#/${view}`);
      await anna.getByTestId(`view-${view}`).waitFor();
      await expect
        .poll(() => anna.getByTestId('status-phone').getAttribute('data-state'), { timeout: 15_000 })
        .toBe('registered');
      await expect.poll(() => anna.getByText('Wird geladen').count(), { timeout: 10_000 }).toBe(0);
      expect(await anna.getByText('nicht verbunden').count()).toBe(0);
      await expect.poll(() => anna.getByText('nicht erreichbar').count(), { timeout: 30_000 }).toBe(0);
      await screenshot(anna, `demo-${view}`);
    }
    await anna.goto(`${origin}/#/phone`);
    await anna.getByTestId('view-phone').waitFor();
    const control = await open(running.run.control, 900, 700);
    await control.getByRole('button', { name: `Kunde ruft die ${FIRM.label} an` }).click();

    const card = anna.getByRole('article', { name: `Anruf für ${FIRM.name}` });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('ringing');
    expect(await card.locator('.greeting').textContent()).toContain(FIRM.greeting);
    await expect.poll(() => card.getByTestId('caller').textContent(), { timeout: 5000 }).toContain(REGULAR.name);
    await expect.poll(() => card.textContent(), { timeout: 5000 }).toContain(EARLIER.subject);
    await screenshot(anna, 'demo-call-ringing');

    await anna.keyboard.press('Alt+A');
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('connected');
    await expect
      .poll(() => control.locator('tbody tr').first().getAttribute('data-state'), { timeout: 10_000 })
      .toBe('connected');

    // The customer's speech and the teleworker's microphone, as rtpengine counts them.
    const stack = JSON.parse(readFileSync(running.run.stack, 'utf8')) as StackInfo;
    const ng = stack.ports.rtpengineNg;
    const first = await relayedPackets(ng);
    expect(first).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = (await relayedPackets(ng))[0]!;
    expect(Object.keys(second)).toHaveLength(2);
    for (const tag of Object.keys(second))
      expect(second[tag]! - first[0]![tag]!, `packets from ${tag} in 1 s`).toBeGreaterThan(20);

    await card.getByLabel('Anliegen').fill(NOTE);
    await expect
      .poll(() => card.getByTestId('call-note').getByRole('status').textContent(), { timeout: 10_000 })
      .toContain('Gespeichert');
    await screenshot(anna, 'demo-call-answered');
    await max.getByText(NOTE).waitFor({ timeout: 20_000 });
    await screenshot(max, 'demo-craftsman-notes');

    // The teleworker hangs up: the customer's side ends with her.
    await anna.keyboard.press('Alt+E');
    const row = control.locator('tbody tr').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('ended');
    expect(await row.textContent()).toContain('Telearbeiterin hat aufgelegt');
    await screenshot(control, 'demo-control');

    for (const seen of errors) expect(seen).toEqual([]);

    await running.stop();
    expect(running.output()).toContain('Alle Prozesse der Demo sind beendet');
    expect(running.output()).toContain(`rm -rf ${join(home, 'demo')}`);
    await expect.poll(() => running.leftovers(), { timeout: 10_000 }).toEqual([]);
    demo = undefined;

    if (process.env.DEMO_SCREENSHOTS_TO_DOCS === '1') {
      for (const name of [...SHOTS, ...LIVE_SCREENS.map((view) => `demo-${view}`)])
        copyFileSync(join(ARTIFACTS, `${name}.png`), join(ARTIFACTS, '..', 'docs', 'screenshots', `${name}.png`));
    }
  }, 150_000);
});
