/**
 * `incoming_to_ringing_ui_p95_ms` in the real app: the browser shell as its own process (`startShell`,
 * the built renderer from dist/renderer), an identity imported from a provisioning bundle of the real
 * PKI, 100,000 contacts in the profile's SQLite store, the real Kamailio, and baresip dialling the
 * firm's number over UDP.
 *
 * In the page (an init script, so the app itself is untouched): the host-event WebSocket is wrapped and
 * the arrival of the `pbx.message` event carrying the initial INVITE is stamped — the same task in
 * which the bridged transport hands it to SIP.js — and a MutationObserver stamps the moment the Svelte
 * call card (`CallCard.svelte`, `data-status="ringing"`) is in the DOM, then again after the frame that
 * paints it (requestAnimationFrame, then a posted message that runs after that frame's rendering).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { LocalStore } from '../electron/core/store/store.js';
import { freePort } from '../pbx/daemons.js';
import { startShell, type RunningShell } from '../test/helpers/app-shell.js';
import { startBaresip, type Baresip } from '../test/helpers/baresip.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { startKeyring, type Keyring } from '../test/helpers/keyring.js';
import { createPkiHome, DEFAULT_TENANTS, type PkiHome } from '../test/helpers/pki.js';
import { startTestStack, type Stack } from '../test/helpers/stack.js';
import { invokeInPage } from '../test/helpers/ui.js';

interface RingMarks {
  inviteIn: number[];
  inDom: number[];
  painted: number[];
}
declare const window: { __ring: RingMarks };

const USER = 'anna';
const TENANT = DEFAULT_TENANTS[0]!;

/**
 * Runs before the app's own scripts in every document of the page. Plain JS text: a function passed
 * from here would carry the TypeScript loader's helpers (`__name`) that the page does not have.
 */
const INSTRUMENT = `
(() => {
  const marks = { inviteIn: [], inDom: [], painted: [] };
  window.__ring = marks;
  const isInitialInvite = (m) => m.startsWith('INVITE ') && !/^(To|t):[^\\r\\n]*;tag=/im.test(m);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      // Added before the bridge sets onmessage, so this listener runs first, in the same task.
      if (String(url).includes('/api/events'))
        this.addEventListener('message', (event) => {
          const data = event.data;
          if (typeof data !== 'string' || !data.includes('"pbx.message"') || !data.includes('INVITE ')) return;
          const message = JSON.parse(data).payload?.message;
          if (typeof message === 'string' && isInitialInvite(message)) marks.inviteIn.push(performance.now());
        });
    }
  };
  const seen = new Set();
  const observer = new MutationObserver(() => {
    const card = document.querySelector('[data-testid="call-card"][data-status="ringing"]');
    const id = card?.dataset.line;
    if (!card || !id || seen.has(id)) return;
    seen.add(id);
    marks.inDom.push(performance.now());
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => marks.painted.push(performance.now());
      channel.port2.postMessage(0);
    });
  });
  document.addEventListener('DOMContentLoaded', () =>
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] }),
  );
})();
`;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface RingingUi {
  /** INVITE at the page → ringing card in the DOM / painted, ms, one per call. */
  inDom: number[];
  painted: number[];
}

/**
 * `calls` incoming calls from `caller` (a contact among the CSV's rows, named `callerName`) to the
 * firm's number; the app never answers, baresip hangs up once the card shows.
 */
export async function ringingUi(csv: string, caller: string, callerName: string, calls: number): Promise<RingingUi> {
  const rendererDir = join(import.meta.dirname, '..', 'dist', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('dist/renderer is missing: run `npm run build:renderer`');
  const stops: Array<() => Promise<void> | void> = [];
  const profile = mkdtempSync(join(tmpdir(), 'vermittlung-bench-ring-'));
  stops.push(() => rmSync(profile, { recursive: true, force: true }));
  try {
    const store = LocalStore.open(join(profile, 'vermittlung.db'));
    try {
      store.lookup.seedTenants([{ id: TENANT.id, name: TENANT.name, numbers: TENANT.numbers, mobile: TENANT.mobile }]);
      await store.import({ tenant: TENANT.id, format: 'csv', csvProfile: 'generic', path: csv });
    } finally {
      store.close();
    }
    const [wssPort, serverPort] = [await freePort('both'), await freePort('tcp')];
    const pki: PkiHome = await createPkiHome({
      pbxUrl: `wss://127.0.0.1:${wssPort}/`,
      serverUrl: `https://127.0.0.1:${serverPort}/`,
      users: [{ id: USER, name: 'Anna Schmidt', tenants: [TENANT.id], role: 'teleworker' }],
    });
    stops.unshift(() => pki.cleanup());
    const [stack, keyring, browser]: [Stack, Keyring, Browser] = await Promise.all([
      startTestStack(pki.home, { wssPort, tenantRingMs: 20_000 }),
      startKeyring(),
      launchChromium(),
    ]);
    stops.unshift(
      () => keyring.stop(),
      () => stack.stop(),
      () => browser.close(),
    );
    const shell: RunningShell = await startShell(profile, [], keyring.env);
    stops.unshift(() => shell.stop());

    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript({ content: INSTRUMENT });
    await page.goto(shell.url);
    const { bundle, passphrase } = pki.users[USER]!;
    const imported = (await invokeInPage(page, 'identity.import', { bundle, passphrase })) as { ok: boolean };
    if (!imported.ok) throw new Error(`identity.import failed: ${JSON.stringify(imported)}`);
    await page.goto(`${shell.origin}/#/phone`);
    await page.locator('[data-testid="registration"].registered').waitFor({ timeout: 15_000 });

    const outside: Baresip = await startBaresip({ user: caller, domain: stack.info.sipDomain, pbxPort: stack.info.ports.udp });
    stops.unshift(() => outside.stop());
    const marks = () => page.evaluate(() => window.__ring);
    const result: RingingUi = { inDom: [], painted: [] };
    for (let i = 0; i <= calls; i++) {
      const before = (await marks()).painted.length;
      const mark = outside.events.length;
      await outside.command('dial', `sip:${TENANT.numbers[0]}@${stack.info.sipDomain}`);
      await until(async () => (await marks()).painted.length > before, 10_000, 'ringing call card');
      const m = await marks();
      if (m.inviteIn.length !== before + 1) throw new Error(`${m.inviteIn.length} INVITEs stamped for ${before + 1} calls`);
      const card = page.locator('[data-testid="call-card"]');
      const text = await card.textContent();
      if (!text?.includes(callerName) || !text.includes(TENANT.name))
        throw new Error(`the ringing card does not show ${callerName} for ${TENANT.name}: ${text}`);
      if (i > 0) {
        // The first call is the warm-up: first lookup statements, first ringtone decode.
        result.inDom.push(m.inDom.at(-1)! - m.inviteIn.at(-1)!);
        result.painted.push(m.painted.at(-1)! - m.inviteIn.at(-1)!);
      }
      // baresip's hangup takes its current call: the next dial waits until this one is closed, or a
      // hangup could hit a call still closing and leave the new one ringing.
      await outside.command('hangup');
      await outside.waitForEvent('CALL_CLOSED', 10_000, mark);
      await page
        .locator('[data-testid="call-card"][data-status="ringing"]')
        .waitFor({ state: 'detached', timeout: 10_000 })
        .catch((error: unknown) => {
          const seen = outside.events.slice(mark).map((e) => e.type);
          throw new Error(
            `call ${i}: the card still rings after baresip hung up (baresip: ${seen.join(', ')}): ${String(error)}`,
          );
        });
    }
    return result;
  } finally {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => undefined);
  }
}
