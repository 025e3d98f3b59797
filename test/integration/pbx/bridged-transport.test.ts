import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../../electron/browser-shell/server.js';
import { createCore, type Core } from '../../../electron/core/composition.js';
import type { ClientTls } from '../../../electron/core/pbx/pbx-connection.js';
import { kamcmd } from '../../../pbx/daemons.js';
import { launchChromium, watchPageErrors } from '../../helpers/chromium.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';

// SIP.js Registerer in Chromium on the browser shell's page, with the production BridgedTransport:
// renderer → host API → core PbxConnection (client certificate) → Kamailio → rtpengine stack.
interface Outcome {
  ok: boolean;
  status?: number;
  error?: string;
  code?: string;
}
interface PageApi {
  register(user: string, domain: string, aor?: string): Promise<Outcome>;
  reconnect(): Promise<Outcome>;
  stop(): Promise<void>;
  transportEvents: string[];
  pbxStates: Array<{ state: string; code?: string; connections: number }>;
}
declare const window: { pbxTest: PageApi };

let home: TestHome;
let stack: Stack;
let browser: Browser;
let bundle: string;
const shells: Array<{ core: Core; shell: BrowserShell }> = [];

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [],
    users: [
      { id: 'alice', name: 'Alice', role: 'teleworker', tenants: [], certificates: [] },
      { id: 'bob', name: 'Bob', role: 'teleworker', tenants: [], certificates: [] },
    ],
  });
  const built = await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'fixtures', 'pbx', 'sip-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  bundle = built.outputFiles[0]!.text;
  [stack, browser] = await Promise.all([startTestStack(home.home), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  for (const { core, shell } of shells) {
    await shell.close();
    await core.close();
  }
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

/** A browser-shell host whose core holds `tls` (in the app the identity service provides it). */
async function openApp(tls: ClientTls | undefined): Promise<Page> {
  const profileDir = mkdtempSync(join(tmpdir(), 'vermittlung-pbx-profile-'));
  const rendererDir = join(profileDir, 'renderer');
  (await import('node:fs')).mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>pbx test</title><body></body>');
  const core = createCore({
    profileDir,
    appVersion: '0.0.0-test',
    shell: 'browser',
    pbxEndpoint: () => (tls ? { url: stack.info.pbxWss, tls } : undefined),
  });
  const shell = await startBrowserShell({ core, rendererDir, port: 0 });
  shells.push({ core, shell });
  // The injected test script is inline; production pages never need this.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(shell.url);
  await page.addScriptTag({ content: bundle });
  return page;
}

function tlsFor(user: string): ClientTls {
  const cert = home.issue(user);
  return { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem };
}

describe('SIP.js over the bridged transport', () => {
  it('registers with a valid certificate (200 OK) and Kamailio holds the contact', async () => {
    const page = await openApp(tlsFor('alice'));
    const errors = watchPageErrors(page);
    const outcome = await page.evaluate(() => window.pbxTest.register('alice', 'localhost'));
    expect(outcome).toEqual({ ok: true, status: 200 });
    expect(await kamcmd(stack.info.ctlSocket, ['ul.lookup', 'location', 'alice'])).toMatch(/transport=ws/);
    expect(errors).toEqual([]);

    // Kamailio crashes and comes back: the transport reports the loss, the core reconnects by
    // itself, and the page registers again.
    await stack.killKamailio('SIGKILL');
    await expect
      .poll(() => page.evaluate(() => window.pbxTest.transportEvents.find((e) => e.startsWith('disconnect'))))
      .toBe('disconnect:connection_lost');
    await stack.restartKamailio();
    await expect
      .poll(() => page.evaluate(() => window.pbxTest.pbxStates.some((s) => s.state === 'connected' && s.connections === 2)), {
        timeout: 15_000,
      })
      .toBe(true);
    expect(await page.evaluate(() => window.pbxTest.reconnect())).toEqual({ ok: true, status: 200 });
    expect(await kamcmd(stack.info.ctlSocket, ['ul.lookup', 'location', 'alice'])).toMatch(/transport=ws/);
    await page.evaluate(() => window.pbxTest.stop());
  });

  it('gets 403 when registering a colleague with its own certificate', async () => {
    const page = await openApp(tlsFor('bob'));
    expect(await page.evaluate(() => window.pbxTest.register('bob', 'localhost', 'alice'))).toEqual({ ok: false, status: 403 });
    await page.evaluate(() => window.pbxTest.stop());
  });

  it('fails to connect with the PBX error code when the certificate is refused', async () => {
    const foreign = home.foreign('alice');
    const page = await openApp({ pfx: foreign.pfx, passphrase: foreign.passphrase, ca: home.caPem });
    expect(await page.evaluate(() => window.pbxTest.register('alice', 'localhost'))).toMatchObject({
      ok: false,
      code: 'unknown_ca',
    });
  });

  it('fails with no_identity when no identity is set up', async () => {
    const page = await openApp(undefined);
    expect(await page.evaluate(() => window.pbxTest.register('alice', 'localhost'))).toMatchObject({
      ok: false,
      code: 'no_identity',
    });
  });
});
