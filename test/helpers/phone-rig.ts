import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { startBrowserShell, type BrowserShell } from '../../electron/browser-shell/server.js';
import { createCore, type Core } from '../../electron/core/composition.js';
import { LocalStore } from '../../electron/core/store/store.js';
import type { LineView, RegistrationView } from '../../renderer/src/lib/phone/types.js';
import type { OwnChoice, PeerPresence, Published } from '../../renderer/src/lib/presence/types.js';
import { launchChromium, watchPageErrors } from './chromium.js';
import { startProcess, type Started } from './processes.js';
import { createTestHome, type TestHome } from './pbx-certs.js';
import { startTestStack, type Stack, type StackOptions } from './stack.js';

/**
 * The calls tests' rig: the real stack, Chromium, and one browser-shell core + page per user running
 * the production phone engine (test/integration/calls/fixtures/phone-page.ts exposes it as
 * `window.phoneTest`). Shared by the calls tests and bench/calls.ts.
 */
export interface PhoneTest {
  /** With `team`, presence runs too and watches those colleagues. */
  start(
    aor: string,
    defaultTenant?: string,
    dtmfMode?: 'rfc4733' | 'info',
    endedLingerMs?: number,
    team?: string[],
  ): Promise<void>;
  /** Presence (started with a team): the own choice, what is published, what each colleague shows. */
  setChoice(choice: OwnChoice): void;
  endWrapUp(): void;
  presence(): Published;
  peers(): Record<string, PeerPresence>;
  marks(): { inviteSent: number[]; inviteIn: number[]; ringing: number[]; connected: number[] };
  setAutoAnswer(on: boolean): void;
  /** Starts (true) or stops (false) a message trace; returns what was traced so far. */
  trace(on: boolean): Array<[number, string]>;
  registration(): RegistrationView;
  lines(): LineView[];
  dial(input: string): Promise<string>;
  dialConnected(input: string): Promise<void>;
  answer(id: string): Promise<void>;
  reject(id: string, code: 486 | 603): Promise<void>;
  hangup(id: string): Promise<void>;
  dtmf(id: string, digits: string): Promise<void>;
  setDtmfMode(mode: 'rfc4733' | 'info'): void;
  packets(id: string): Promise<{ inbound: number; outbound: number }>;
  settled(): Promise<void>;
  calls(): Promise<
    Array<{ direction: string; remote_number: string; outcome: string | null; tenant: string; contact_id: string | null }>
  >;
  createContact(tenant: string, name: string, number: string): Promise<{ id: string }>;
  stop(): Promise<void>;
}
declare const window: { phoneTest: PhoneTest };

export const TENANT = 'mueller';
export const TENANT_NUMBER = '+49301234567';

export interface RigUser {
  id: string;
  tenants?: string[];
  /** Runs on the user's store before the core opens it (contacts to seed). */
  seed?: (store: LocalStore) => void | Promise<void>;
}

export interface PhoneRig {
  home: TestHome;
  stack: Stack;
  browser: Browser;
  pages: Record<string, Page>;
  pageErrors: Record<string, string[]>;
  cores: Record<string, Core>;
  stop(): Promise<void>;
}

export async function bundlePhonePage(): Promise<string> {
  const built = await build({
    entryPoints: [join(import.meta.dirname, '..', 'integration', 'calls', 'fixtures', 'phone-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    loader: { '.wav': 'file' },
    outdir: join(tmpdir(), 'vermittlung-calls-bundle'),
  });
  return built.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
}

export interface RigOptions {
  endedLingerMs?: number;
  /**
   * Each app's core + browser shell in a process of its own, as in the real app (the bench): in one
   * process, one app's synchronous store commits hold up the other apps' SIP messages. `cores` is
   * then empty.
   */
  ownProcesses?: boolean;
  /** Further firms in the directory (users of another tenant: who may not be reached by a forward). */
  extraTenants?: Array<{ id: string; name: string; numbers: string[] }>;
  /** The PBX's outbound gateway for numbers (host:port, UDP), e.g. a baresip standing for a mobile. */
  trunk?: string;
  /** The WSS URL the apps dial instead of Kamailio's own (a proxy in front of it that can cut the link). */
  pbxVia?: (stack: Stack) => Promise<string>;
  /** Further users of the directory who run no app here (clients of another kind register as them). */
  directoryUsers?: string[];
  /** Where the PBX listens and runs (a network namespace of its own) and whom it takes UDP from. */
  stack?: Pick<StackOptions, 'listenIp' | 'wrapDaemon' | 'udpPeers'>;
  /** Every app runs presence too, watching the rig's other users (`phoneTest.setChoice`, `peers`). */
  presence?: boolean;
}

export async function startPhoneRig(users: RigUser[], options: RigOptions = {}): Promise<PhoneRig> {
  const home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [{ id: TENANT, name: 'Schreinerei Müller', numbers: [TENANT_NUMBER] }, ...(options.extraTenants ?? [])],
    users: [
      ...users.map((u) => ({ id: u.id, name: u.id, role: 'teleworker' as const, tenants: u.tenants ?? [], certificates: [] })),
      ...(options.directoryUsers ?? []).map((id) => ({
        id,
        name: id,
        role: 'teleworker' as const,
        tenants: [],
        certificates: [],
      })),
    ],
  });
  const bundle = await bundlePhonePage();
  const [stack, browser] = await Promise.all([
    startTestStack(home.home, { tenantRingMs: 20_000, trunk: options.trunk, ...options.stack }),
    launchChromium(),
  ]);
  let pbxUrl = stack.info.pbxWss;
  const apps: Array<{ core?: Core; shell?: BrowserShell; proc?: Started; profileDir: string }> = [];
  const rig: PhoneRig = {
    home,
    stack,
    browser,
    pages: {},
    pageErrors: {},
    cores: {},
    async stop() {
      for (const page of Object.values(rig.pages)) await page.evaluate(() => window.phoneTest.stop()).catch(() => undefined);
      await browser.close();
      for (const { core, shell, proc, profileDir } of apps) {
        await shell?.close();
        await core?.close();
        await proc?.stop();
        rmSync(profileDir, { recursive: true, force: true });
      }
      await stack.stop();
      rmSync(home.home, { recursive: true, force: true });
    },
  };
  try {
    if (options.pbxVia) pbxUrl = await options.pbxVia(stack);
    for (const user of users) {
      const profileDir = mkdtempSync(join(tmpdir(), `vermittlung-calls-${user.id}-`));
      const rendererDir = join(profileDir, 'renderer');
      mkdirSync(rendererDir);
      writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>calls test</title><body></body>');
      const store = LocalStore.open(join(profileDir, 'vermittlung.db'));
      store.lookup.seedTenants([
        {
          id: TENANT,
          name: 'Schreinerei Müller',
          numbers: [TENANT_NUMBER],
          greeting: 'Schreinerei Müller, guten Tag',
          mobile: '+491701234567',
        },
      ]);
      await user.seed?.(store);
      store.close();
      const cert = home.issue(user.id);
      let url: string;
      if (options.ownProcesses) {
        const pfxFile = join(profileDir, 'identity.p12');
        const caFile = join(profileDir, 'ca.pem');
        writeFileSync(pfxFile, cert.pfx, { mode: 0o600 });
        writeFileSync(caFile, home.caPem);
        const proc = await startProcess(
          process.execPath,
          [
            join(import.meta.dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
            join(import.meta.dirname, 'phone-core-main.ts'),
            profileDir,
            rendererDir,
            pbxUrl,
            pfxFile,
            cert.passphrase,
            caFile,
          ],
          /phone core ready (\S+)/,
        );
        apps.push({ proc, profileDir });
        url = proc.match[1]!;
      } else {
        const core = createCore({
          profileDir,
          appVersion: '0.0.0-test',
          shell: 'browser',
          pbxEndpoint: () => ({ url: pbxUrl, tls: { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem } }),
        });
        const shell = await startBrowserShell({ core, rendererDir, port: 0 });
        apps.push({ core, shell, profileDir });
        rig.cores[user.id] = core;
        url = shell.url;
      }
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      rig.pageErrors[user.id] = watchPageErrors(page);
      await page.goto(url);
      await page.addScriptTag({ content: bundle });
      const team = options.presence ? users.filter((u) => u.id !== user.id).map((u) => u.id) : undefined;
      await page.evaluate(
        ([aor, tenant, linger, people]) => window.phoneTest.start(aor as string, tenant as string, 'rfc4733', linger, people),
        [`sip:${user.id}@localhost`, TENANT, options.endedLingerMs, team] as const,
      );
      rig.pages[user.id] = page;
    }
    for (const page of Object.values(rig.pages))
      await until(async () => (await registration(page)) === 'registered', 10_000, 'registration');
  } catch (error) {
    await rig.stop().catch(() => undefined);
    throw error;
  }
  return rig;
}

export const registration = (page: Page) => page.evaluate(() => window.phoneTest.registration().status);
export const livelines = (page: Page) => page.evaluate(() => window.phoneTest.lines().filter((l) => l.status !== 'ended'));

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

/** The first line in `status` on that page. */
export async function lineIn(page: Page, status: LineView['status'], timeoutMs = 8000): Promise<LineView> {
  let found: LineView | undefined;
  await until(
    async () => {
      found = (await page.evaluate(() => window.phoneTest.lines())).find((l) => l.status === status);
      return found !== undefined;
    },
    timeoutMs,
    `a ${status} line`,
    20,
  );
  return found!;
}

export async function inboundGrows(page: Page, id: string, ms = 1200): Promise<number> {
  const packets = () => page.evaluate((lineId) => window.phoneTest.packets(lineId), id);
  const before = (await packets()).inbound;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await packets()).inbound - before;
}

export async function hangupAll(pages: Page[]): Promise<void> {
  for (const page of pages)
    await page.evaluate(async () => {
      for (const l of window.phoneTest.lines())
        if (l.status !== 'ended') await window.phoneTest.hangup(l.id).catch(() => undefined);
    });
  for (const page of pages) await until(async () => (await livelines(page)).length === 0, 8000, 'all lines ended');
}
