import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { freePort } from '../../pbx/daemons.js';
import { startShell, type RunningShell } from './app-shell.js';
import { launchChromium, watchPageErrors } from './chromium.js';
import { startKeyring, type Keyring } from './keyring.js';
import { createPkiHome, type PkiHome, type PkiHomeOptions } from './pki.js';
import { startTestStack, type Stack, type StackOptions } from './stack.js';
import { invokeInPage } from './ui.js';

/** One app instance of a user: its browser shell (own profile, own keychain entry) and its page. */
export interface Desk {
  page: Page;
  errors: string[];
  shell: RunningShell;
  /** Every host API call the page sent over the shell's event socket, in order: what the renderer asked of its host. */
  hostCalls: { method: string; input: unknown }[];
}

/** Desks against the real stack: Kamailio + rtpengine + sync server, a keyring, one Chromium. */
export interface DeskRig {
  pki: PkiHome;
  stack: Stack;
  keyring: Keyring;
  browser: Browser;
  /** A new desk for `user`, identity imported from its real bundle, opened on `#/<view>`. */
  desk(user: string, view: string, options?: DeskOptions): Promise<Desk>;
  stop(): Promise<void>;
}

export interface DeskOptions {
  viewport?: { width: number; height: number };
  /** Only so that axe can be added as a script tag; the app's own CSP is tested elsewhere. */
  bypassCSP?: boolean;
  /** The app process's clock runs this far ahead (negative: behind), as on a laptop set wrong. */
  clockShiftMs?: number;
}

export interface DeskRigOptions {
  /** The bundles point at wss://127.0.0.1; the SIP domain comes from `pki.sipDomain` (default `localhost`). */
  pki?: Omit<PkiHomeOptions, 'pbxUrl' | 'serverUrl' | 'calendarUrl'>;
  /** `{ udpPeers: undefined }`: the stack as `npm run stack -- --home DIR` runs it (no UDP allow-list). */
  stack?: Pick<StackOptions, 'udpPeers'>;
}

export async function startDeskRig(options: DeskRigOptions = {}): Promise<DeskRig> {
  const [wssPort, serverPort, feedPort] = [await freePort('both'), await freePort('tcp'), await freePort('tcp')];
  const pki = await createPkiHome({
    ...options.pki,
    pbxUrl: `wss://127.0.0.1:${wssPort}/`,
    serverUrl: `https://127.0.0.1:${serverPort}/`,
    calendarUrl: `https://127.0.0.1:${feedPort}/`,
  });
  const started = await Promise.allSettled([
    startTestStack(pki.home, { wssPort, serverPort, feedPort, server: true, ...options.stack }),
    startKeyring(),
    launchChromium(),
  ] as const);
  const [stackResult, keyringResult, browserResult] = started;
  if (stackResult.status === 'rejected' || keyringResult.status === 'rejected' || browserResult.status === 'rejected') {
    // Whatever did start is stopped again: a failed set-up leaves no daemon behind.
    if (browserResult.status === 'fulfilled') await browserResult.value.close();
    if (stackResult.status === 'fulfilled') await stackResult.value.stop();
    if (keyringResult.status === 'fulfilled') await keyringResult.value.stop();
    pki.cleanup();
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    throw failure?.reason instanceof Error ? failure.reason : new Error(String(failure?.reason));
  }
  const [stack, keyring, browser] = [stackResult.value, keyringResult.value, browserResult.value];
  const shells: RunningShell[] = [];
  const profiles: string[] = [];
  return {
    pki,
    stack,
    keyring,
    browser,
    async desk(user, view, deskOptions = {}) {
      const profile = mkdtempSync(join(tmpdir(), `vermittlung-desk-${user}-`));
      profiles.push(profile);
      const env = deskOptions.clockShiftMs
        ? {
            ...keyring.env,
            NODE_OPTIONS: `${keyring.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(join(import.meta.dirname, 'shift-clock.mjs')).href}`,
            VERMITTLUNG_TEST_CLOCK_SHIFT_MS: String(deskOptions.clockShiftMs),
          }
        : keyring.env;
      const shell = await startShell(profile, [], env);
      shells.push(shell);
      const context = await browser.newContext({
        viewport: deskOptions.viewport ?? { width: 1280, height: 800 },
        bypassCSP: deskOptions.bypassCSP ?? false,
      });
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      const hostCalls: Desk['hostCalls'] = [];
      page.on('websocket', (socket) =>
        socket.on('framesent', ({ payload }) => {
          try {
            const sent = JSON.parse(String(payload)) as { method?: unknown; input?: unknown };
            if (typeof sent.method === 'string') hostCalls.push({ method: sent.method, input: sent.input });
          } catch {
            // Not a call: the socket carries nothing else from the page, but a stray frame is no test failure.
          }
        }),
      );
      await page.goto(shell.url);
      const { bundle, passphrase } = pki.users[user]!;
      expect(await invokeInPage(page, 'identity.import', { bundle, passphrase })).toMatchObject({ ok: true });
      await page.goto(`${shell.origin}/#/${view}`);
      await page.getByTestId(`view-${view}`).waitFor();
      return { page, errors, shell, hostCalls };
    },
    async stop() {
      await browser.close();
      for (const shell of shells) await shell.stop();
      await stack.stop();
      await keyring.stop();
      pki.cleanup();
      for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}
