import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { startBrowserShell, type BrowserShell } from '../../../electron/browser-shell/server.js';
import { createCore, type Core } from '../../../electron/core/composition.js';
import { launchChromium, watchPageErrors } from '../../helpers/chromium.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';
import type { OwnChoice, PeerPresence, Published } from '../../../renderer/src/lib/presence/types.js';
import type { LineView, RegistrationView } from '../../../renderer/src/lib/phone/types.js';

/**
 * Presence rig for the tests and the bench: one office-service home with `live` users who run the
 * app (each its own browser-shell core, profile and client certificate, in its own Chromium
 * context) and `extra` directory users who never register, the real Kamailio with its presence
 * modules, and the fixture page with the production phone and presence engines.
 */
export interface PresenceTestApi {
  start(aor: string, team: string[], options?: PageOptions): Promise<void>;
  registration(): RegistrationView;
  setChoice(choice: OwnChoice): void;
  setIdle(idle: boolean): void;
  status(): Published;
  own(): Published[];
  peers(): Record<string, PeerPresence>;
  shownAt(user: string, state: PeerPresence, since: number): number | undefined;
  text(user: string): string;
  dnd(): boolean;
  dial(target: string): Promise<string>;
  lines(): LineView[];
  answer(id: string): Promise<void>;
  hangup(id: string): Promise<void>;
  stop(): Promise<void>;
}
declare const window: { presenceTest: PresenceTestApi };
export type { Page };

/** What a test may set on a page's presence engine (PresenceConfig). */
export interface PageOptions {
  publishExpires?: number;
}

export interface Rig {
  home: TestHome;
  stack: Stack;
  pages: Record<string, Page>;
  pageErrors: Record<string, string[]>;
  extraUsers: string[];
  close(user: string): Promise<void>;
  /** The page's renderer dies: no pagehide, so no PUBLISH Expires: 0. The app's core stays. */
  crash(user: string): Promise<void>;
  /** A new page in the same app and profile (what Electron does for a crashed renderer), registered. */
  reload(user: string): Promise<void>;
  /** The app started anew for `user` (new profile), registered; `pages[user]` is its page. */
  open(user: string, options?: PageOptions): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startRig(live: string[], extra: number, teamOf: (user: string) => string[]): Promise<Rig> {
  const home = createTestHome();
  const extraUsers = Array.from({ length: extra }, (_, i) => `colleague${String(i + 1).padStart(2, '0')}`);
  home.writeDirectory({
    version: 1,
    tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49301234567'], hours: 'Di 8-10' }],
    users: [...live, ...extraUsers].map((id) => ({
      id,
      name: id,
      role: 'teleworker' as const,
      tenants: ['mueller'],
      certificates: [],
    })),
  });
  const built = await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'presence-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const bundle = built.outputFiles[0]!.text;
  const [stack, browser] = await Promise.all([startTestStack(home.home), launchChromium()]);
  const apps: Array<{ core: Core; shell: BrowserShell; profileDir: string; user: string; context: BrowserContext }> = [];
  const pages: Record<string, Page> = {};
  const pageErrors: Record<string, string[]> = {};

  async function openApp(user: string, options: PageOptions = {}): Promise<Page> {
    const profileDir = mkdtempSync(join(tmpdir(), `vermittlung-presence-${user}-`));
    const rendererDir = join(profileDir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>presence test</title><body></body>');
    const cert = home.issue(user);
    const core = createCore({
      profileDir,
      appVersion: '0.0.0-test',
      shell: 'browser',
      pbxEndpoint: () => ({ url: stack.info.pbxWss, tls: { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem } }),
    });
    const shell = await startBrowserShell({ core, rendererDir, port: 0 });
    const context = await browser.newContext({ bypassCSP: true });
    apps.push({ core, shell, profileDir, user, context });
    return openPage(user, context, shell.url, options);
  }

  async function openPage(user: string, context: BrowserContext, url: string, options: PageOptions = {}): Promise<Page> {
    const page = await context.newPage();
    pageErrors[user] = watchPageErrors(page);
    await page.goto(url);
    await page.addScriptTag({ content: bundle });
    await page.evaluate(([aor, team, opts]) => window.presenceTest.start(aor as string, team, opts), [
      `sip:${user}@localhost`,
      teamOf(user),
      options,
    ] as const);
    return page;
  }

  for (const user of live) pages[user] = await openApp(user);
  const registered = (user: string) =>
    until(
      async () => (await pages[user]!.evaluate(() => window.presenceTest.registration().status)) === 'registered',
      10_000,
      `${user} registered`,
    );
  for (const user of live) await registered(user);

  async function crashPage(user: string): Promise<void> {
    const page = pages[user]!;
    const cdp = await page.context().newCDPSession(page);
    const crashed = new Promise((resolve) => page.once('crash', resolve));
    // Chromium never answers this command: the renderer is gone.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
  }

  async function closeApp(user: string): Promise<void> {
    const page = pages[user];
    if (page && !page.isClosed()) {
      await page.evaluate(() => window.presenceTest.stop()).catch(() => undefined);
      await page.context().close();
    }
    const index = apps.findIndex((app) => app.user === user);
    if (index < 0) return;
    const [app] = apps.splice(index, 1);
    await app!.shell.close();
    await app!.core.close();
    rmSync(app!.profileDir, { recursive: true, force: true });
  }

  return {
    home,
    stack,
    pages,
    pageErrors,
    extraUsers,
    close: closeApp,
    crash: crashPage,
    async reload(user) {
      const app = apps.find((candidate) => candidate.user === user)!;
      await pages[user]!.close();
      pages[user] = await openPage(user, app.context, app.shell.url);
      await registered(user);
    },
    async open(user, options) {
      pages[user] = await openApp(user, options);
      await registered(user);
    },
    async shutdown() {
      for (const app of [...apps]) await closeApp(app.user);
      await browser.close();
      await stack.stop();
      rmSync(home.home, { recursive: true, force: true });
    },
  };
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

export const peerText = (page: Page, user: string) => page.evaluate((u) => window.presenceTest.text(u), user);

/** Waits until `watcher` shows `user` as `text`; a failure names what the row showed instead. */
export const shows = (rig: Rig, watcher: string, user: string, text: string, timeoutMs: number) =>
  until(async () => (await peerText(rig.pages[watcher]!, user)) === text, timeoutMs, `${watcher} sees ${user} ${text}`).catch(
    async (error: Error) => {
      throw new Error(`${error.message} (shows ${await peerText(rig.pages[watcher]!, user)})`);
    },
  );
export const presenceApi = (page: Page) => ({
  setChoice: (choice: OwnChoice) => page.evaluate((c) => window.presenceTest.setChoice(c), choice),
  shownAt: (user: string, state: PeerPresence, since: number) =>
    page.evaluate(([u, s, t]) => window.presenceTest.shownAt(u, s, t), [user, state, since] as const),
  dnd: () => page.evaluate(() => window.presenceTest.dnd()),
  dial: (target: string) => page.evaluate((t) => window.presenceTest.dial(t), target),
  lines: () => page.evaluate(() => window.presenceTest.lines()),
  answer: (id: string) => page.evaluate((i) => window.presenceTest.answer(i), id),
  hangup: (id: string) => page.evaluate((i) => window.presenceTest.hangup(i), id),
  registration: () => page.evaluate(() => window.presenceTest.registration()),
  peers: () => page.evaluate(() => window.presenceTest.peers()),
  stop: () => page.evaluate(() => window.presenceTest.stop()),
});
