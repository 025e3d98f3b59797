import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../../electron/browser-shell/server.js';
import { createCore, type Core } from '../../../electron/core/composition.js';
import { LocalStore } from '../../../electron/core/store/store.js';
import { launchChromium, watchPageErrors } from '../../helpers/chromium.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';
import type { LineView, RegistrationView } from '../../../renderer/src/lib/phone/types.js';

// The phone engine in three Chromium pages (alice, bob, carol), each on its own browser-shell core
// with its own profile, store and client certificate, through the real Kamailio + rtpengine.

interface PhoneTest {
  start(aor: string, defaultTenant?: string): Promise<void>;
  registration(): RegistrationView;
  lines(): LineView[];
  line(slot: number): LineView | undefined;
  dial(input: string): Promise<string>;
  answer(id: string): Promise<void>;
  reject(id: string, code: 486 | 603): Promise<void>;
  hangup(id: string): Promise<void>;
  hold(id: string, on: boolean): Promise<void>;
  swap(id: string): Promise<void>;
  dtmf(id: string, digits: string): Promise<void>;
  blind(id: string, target: string): Promise<void>;
  consult(id: string, target: string): Promise<string>;
  complete(id: string): Promise<void>;
  setDnd(on: boolean): void;
  setDtmfMode(mode: 'rfc4733' | 'info'): void;
  packets(id: string): Promise<{ inbound: number; outbound: number }>;
  settled(): Promise<void>;
  calls(): Promise<
    Array<{
      direction: string;
      remote_number: string;
      outcome: string | null;
      answered_at: string | null;
      ended_at: string | null;
      tenant: string;
      dialled_number: string | null;
      contact_id: string | null;
    }>
  >;
  notifications(): string[];
  callActive(): boolean[];
  stop(): Promise<void>;
}
declare const window: { phoneTest: PhoneTest };

const TENANT = 'mueller';
const TENANT_NUMBER = '+49301234567';
let home: TestHome;
let stack: Stack;
let browser: Browser;
let bundle: string;
const apps: Array<{ core: Core; shell: BrowserShell; profileDir: string }> = [];
const pages: Record<string, Page> = {};
const pageErrors: Record<string, string[]> = {};

async function openApp(user: string): Promise<Page> {
  const profileDir = mkdtempSync(join(tmpdir(), `vermittlung-calls-${user}-`));
  const rendererDir = join(profileDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>calls test</title><body></body>');
  // The firm as the directory would seed it, and a contact with carol's mobile for the lookup.
  const store = LocalStore.open(join(profileDir, 'vermittlung.db'));
  store.lookup.seedTenants([
    {
      id: TENANT,
      name: 'Schreinerei Müller',
      numbers: [TENANT_NUMBER],
      greeting: 'Schreinerei Müller, guten Tag',
      hours: 'Di 8-10',
      mobile: '+491701234567',
    },
  ]);
  store.close();
  const cert = home.issue(user);
  const core = createCore({
    profileDir,
    appVersion: '0.0.0-test',
    shell: 'browser',
    pbxEndpoint: () => ({ url: stack.info.pbxWss, tls: { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem } }),
  });
  const shell = await startBrowserShell({ core, rendererDir, port: 0 });
  apps.push({ core, shell, profileDir });
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  pageErrors[user] = watchPageErrors(page);
  await page.goto(shell.url);
  await page.addScriptTag({ content: bundle });
  await page.evaluate(([aor, tenant]) => window.phoneTest.start(aor!, tenant), [`sip:${user}@localhost`, TENANT]);
  return page;
}

const reg = (page: Page) => page.evaluate(() => window.phoneTest.registration().status);
/** The first live line in `status` on that page. */
async function lineIn(page: Page, status: LineView['status'], timeout = 8000): Promise<LineView> {
  let found: LineView | undefined;
  await expect
    .poll(
      async () => {
        found = (await page.evaluate(() => window.phoneTest.lines())).find((l) => l.status === status);
        return found !== undefined;
      },
      { timeout },
    )
    .toBe(true);
  return found!;
}
const packets = (page: Page, id: string) => page.evaluate((lineId) => window.phoneTest.packets(lineId), id);
async function inboundGrows(page: Page, id: string, ms = 1200): Promise<number> {
  const before = (await packets(page, id)).inbound;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await packets(page, id)).inbound - before;
}
async function hangupAll(): Promise<void> {
  for (const page of Object.values(pages)) {
    await page.evaluate(async () => {
      for (const l of window.phoneTest.lines())
        if (l.status !== 'ended') await window.phoneTest.hangup(l.id).catch(() => undefined);
    });
  }
  for (const page of Object.values(pages)) {
    await expect
      .poll(() =>
        page.evaluate(() =>
          window.phoneTest
            .lines()
            .filter((l) => l.status !== 'ended')
            .map((l) => `${l.remoteUser}:${l.status}`),
        ),
      )
      .toEqual([]);
  }
}
async function lastCall(page: Page) {
  await page.evaluate(() => window.phoneTest.settled());
  return (await page.evaluate(() => window.phoneTest.calls()))[0];
}

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [{ id: TENANT, name: 'Schreinerei Müller', numbers: [TENANT_NUMBER] }],
    users: [
      { id: 'alice', name: 'Alice', role: 'teleworker', tenants: [TENANT], certificates: [] },
      { id: 'bob', name: 'Bob', role: 'teleworker', tenants: [], certificates: [] },
      { id: 'carol', name: 'Carol', role: 'teleworker', tenants: [], certificates: [] },
    ],
  });
  const built = await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'phone-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    loader: { '.wav': 'file' },
    outdir: join(tmpdir(), 'vermittlung-calls-bundle'),
  });
  bundle = built.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
  [stack, browser] = await Promise.all([startTestStack(home.home, { tenantRingMs: 20_000 }), launchChromium()]);
  for (const user of ['alice', 'bob', 'carol']) pages[user] = await openApp(user);
  for (const page of Object.values(pages)) await until(async () => (await reg(page)) === 'registered', 10_000, 'registration');
}, 120_000);

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

afterAll(async () => {
  for (const page of Object.values(pages)) await page.evaluate(() => window.phoneTest.stop()).catch(() => undefined);
  await browser?.close();
  for (const { core, shell, profileDir } of apps) {
    await shell.close();
    await core.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

describe('calls between app instances through Kamailio and rtpengine', () => {
  it('A calls B, B answers: audio flows both ways, hold stops the held direction, resume restores it', async () => {
    const { alice, bob } = pages;
    await alice!.evaluate(() => window.phoneTest.dial('bob'));
    const ringing = await lineIn(bob!, 'ringing');
    expect(ringing.remoteUser).toBe('alice');
    await bob!.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    const a = await lineIn(alice!, 'connected');
    const b = await lineIn(bob!, 'connected');
    await expect.poll(() => inboundGrows(alice!, a.id), { timeout: 8000 }).toBeGreaterThan(10);
    await expect.poll(() => inboundGrows(bob!, b.id), { timeout: 8000 }).toBeGreaterThan(10);
    expect(await alice!.evaluate(() => window.phoneTest.callActive())).toContain(true);

    await alice!.evaluate((id) => window.phoneTest.hold(id, true), a.id);
    await expect
      .poll(async () => (await bob!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')?.remoteHold)
      .toBe(true);
    expect((await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.id === a.id)?.localHold).toBe(true);
    // Held: B answers recvonly and stops sending to A.
    await expect.poll(() => inboundGrows(alice!, a.id), { timeout: 8000 }).toBe(0);
    await alice!.evaluate((id) => window.phoneTest.hold(id, false), a.id);
    await expect
      .poll(async () => (await bob!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')?.remoteHold)
      .toBe(false);
    await expect.poll(() => inboundGrows(alice!, a.id), { timeout: 8000 }).toBeGreaterThan(10);

    // DTMF by SIP INFO: what B received is exactly what A typed.
    await alice!.evaluate(() => window.phoneTest.setDtmfMode('info'));
    await alice!.evaluate((id) => window.phoneTest.dtmf(id, '12#*9'), a.id);
    await expect
      .poll(async () => (await bob!.evaluate(() => window.phoneTest.lines())).find((l) => l.id === b.id)?.dtmfReceived)
      .toBe('12#*9');
    // RFC 4733: the RTCDTMFSender takes the tones (rtpengine relays them as telephone-events).
    await alice!.evaluate(() => window.phoneTest.setDtmfMode('rfc4733'));
    await alice!.evaluate((id) => window.phoneTest.dtmf(id, '5'), a.id);

    await alice!.evaluate((id) => window.phoneTest.hangup(id), a.id);
    await hangupAll();
    expect(await lastCall(alice!)).toMatchObject({ direction: 'out', remote_number: 'bob', outcome: 'answered', tenant: TENANT });
    const bRow = await lastCall(bob!);
    expect(bRow).toMatchObject({ direction: 'in', remote_number: 'alice', outcome: 'answered' });
    expect(bRow!.answered_at).not.toBeNull();
    expect(bRow!.ended_at).not.toBeNull();
    expect(await alice!.evaluate(() => window.phoneTest.callActive().at(-1))).toBe(false);
  }, 60_000);

  it('blind transfer A→B→C leaves A talking to C', async () => {
    const { alice, bob, carol } = pages;
    await alice!.evaluate(() => window.phoneTest.dial('bob'));
    const ringing = await lineIn(bob!, 'ringing');
    await bob!.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    const b = await lineIn(bob!, 'connected');
    await lineIn(alice!, 'connected');
    const transfer = bob!.evaluate(([id]) => window.phoneTest.blind(id!, 'carol'), [b.id]);
    const c = await lineIn(carol!, 'ringing');
    expect(c.remoteUser).toBe('alice');
    await carol!.evaluate((id) => window.phoneTest.answer(id), c.id);
    await transfer;
    await expect
      .poll(async () =>
        (await alice!.evaluate(() => window.phoneTest.lines())).filter((l) => l.status === 'connected').map((l) => l.remoteUser),
      )
      .toEqual(['carol']);
    await expect
      .poll(async () => (await bob!.evaluate(() => window.phoneTest.lines())).find((l) => l.id === b.id)?.outcome)
      .toBe('forwarded');
    const aToC = (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')!;
    await expect.poll(() => inboundGrows(alice!, aToC.id), { timeout: 8000 }).toBeGreaterThan(10);
    await hangupAll();
    expect(await lastCall(bob!)).toMatchObject({ outcome: 'forwarded' });
  }, 60_000);

  // Used to fail 3 of 3 runs: B answered, then held A for the consultation before A's ACK had
  // arrived; the ACK then met B's pending hold offer and SIP.js ended the call (BYE, Reason 488), and
  // the hold never settled, so the consultation call was never placed. Line.setHold now waits for the
  // ACK of a call we answered (RFC 3261 14.1).
  it('attended transfer: B consults C, then A talks to C', async () => {
    const { alice, bob, carol } = pages;
    await alice!.evaluate(() => window.phoneTest.dial('bob'));
    const ringing = await lineIn(bob!, 'ringing');
    await bob!.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    const b = await lineIn(bob!, 'connected');
    const consulting = bob!.evaluate((id) => window.phoneTest.consult(id, 'carol'), b.id);
    const c = await lineIn(carol!, 'ringing');
    expect(c.remoteUser).toBe('bob');
    await carol!.evaluate((id) => window.phoneTest.answer(id), c.id);
    const consultId = await consulting;
    await expect
      .poll(async () => (await bob!.evaluate(() => window.phoneTest.lines())).find((l) => l.id === consultId)?.status)
      .toBe('connected');
    // A is on hold while B consults.
    await expect
      .poll(async () => (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')?.remoteHold)
      .toBe(true);
    await bob!.evaluate((id) => window.phoneTest.complete(id), consultId);
    const connectedTo = async (page: Page) =>
      (await page.evaluate(() => window.phoneTest.lines())).filter((l) => l.status === 'connected').map((l) => l.remoteUser);
    await expect.poll(() => connectedTo(carol!)).toEqual(['alice']);
    await expect.poll(() => connectedTo(alice!)).toEqual(['carol']);
    // Both of B's lines are gone: the held call to A and the consultation with C.
    await expect
      .poll(
        async () =>
          (await bob!.evaluate(() => window.phoneTest.lines()))
            .filter((l) => l.status !== 'ended')
            .map((l) => `${l.remoteUser}:${l.status}`),
        { timeout: 8000 },
      )
      .toEqual([]);
    const bobLines = await bob!.evaluate(() => window.phoneTest.lines());
    expect(bobLines.find((l) => l.id === b.id)?.transfer).toMatchObject({ kind: 'attended', target: 'carol', state: 'done' });
    // Audio both ways on the new call: each side receives, and each side's sending counter grows.
    const aLine = (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')!;
    const cLine = (await carol!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')!;
    expect(aLine.viaTransfer).toBe(true);
    expect(cLine.viaTransfer).toBe(true);
    await expect.poll(() => inboundGrows(alice!, aLine.id), { timeout: 8000 }).toBeGreaterThan(10);
    await expect.poll(() => inboundGrows(carol!, cLine.id), { timeout: 8000 }).toBeGreaterThan(10);
    const aOut = (await packets(alice!, aLine.id)).outbound;
    const cOut = (await packets(carol!, cLine.id)).outbound;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await packets(alice!, aLine.id)).outbound).toBeGreaterThan(aOut + 10);
    expect((await packets(carol!, cLine.id)).outbound).toBeGreaterThan(cOut + 10);
    await hangupAll();
    // History: B's call with A was forwarded, its consultation with C answered; A and C each have the
    // transferred call as answered, A's call to B as forwarded.
    await bob!.evaluate(() => window.phoneTest.settled());
    const [bobConsult, bobOriginal] = await bob!.evaluate(() => window.phoneTest.calls());
    expect(bobConsult).toMatchObject({ direction: 'out', remote_number: 'carol', outcome: 'answered' });
    expect(bobOriginal).toMatchObject({ direction: 'in', remote_number: 'alice', outcome: 'forwarded' });
    await alice!.evaluate(() => window.phoneTest.settled());
    const [aliceToCarol, aliceToBob] = await alice!.evaluate(() => window.phoneTest.calls());
    expect(aliceToCarol).toMatchObject({ direction: 'out', remote_number: 'carol', outcome: 'answered' });
    expect(aliceToCarol!.answered_at).not.toBeNull();
    expect(aliceToBob).toMatchObject({ direction: 'out', remote_number: 'bob', outcome: 'forwarded' });
    await carol!.evaluate(() => window.phoneTest.settled());
    const [carolFromAlice, carolFromBob] = await carol!.evaluate(() => window.phoneTest.calls());
    expect(carolFromAlice).toMatchObject({ direction: 'in', remote_number: 'alice', outcome: 'answered' });
    expect(carolFromBob).toMatchObject({ direction: 'in', remote_number: 'bob', outcome: 'answered' });
  }, 60_000);

  it('call waiting: a second call while talking; answering it holds the first; swap back', async () => {
    const { alice, bob, carol } = pages;
    await alice!.evaluate(() => window.phoneTest.dial('bob'));
    const first = await lineIn(bob!, 'ringing');
    await bob!.evaluate((id) => window.phoneTest.answer(id), first.id);
    await lineIn(bob!, 'connected');
    await carol!.evaluate(() => window.phoneTest.dial('bob'));
    const second = await lineIn(bob!, 'ringing');
    expect(second.slot).toBe(2);
    await bob!.evaluate((id) => window.phoneTest.answer(id), second.id);
    await expect
      .poll(async () =>
        (await bob!.evaluate(() => window.phoneTest.lines()))
          .filter((l) => l.status !== 'ended')
          .map((l) => `${l.remoteUser}:${l.status}:${l.localHold}`)
          .sort(),
      )
      .toEqual(['alice:connected:true', 'carol:connected:false']);
    await expect
      .poll(async () => (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')?.remoteHold)
      .toBe(true);
    await bob!.evaluate((id) => window.phoneTest.swap(id), first.id);
    await expect
      .poll(async () =>
        (await bob!.evaluate(() => window.phoneTest.lines()))
          .filter((l) => l.status !== 'ended')
          .map((l) => `${l.remoteUser}:${l.localHold}`)
          .sort(),
      )
      .toEqual(['alice:false', 'carol:true']);
    await expect
      .poll(async () => (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'connected')?.remoteHold)
      .toBe(false);
    await hangupAll();
  }, 60_000);

  it('decline (603), busy (486) and DND each leave their history row', async () => {
    const { alice, bob } = pages;
    for (const [code, outcome] of [
      [603, 'rejected'],
      [486, 'busy'],
    ] as const) {
      await alice!.evaluate(() => window.phoneTest.dial('bob'));
      const ringing = await lineIn(bob!, 'ringing');
      await bob!.evaluate(([id, c]) => window.phoneTest.reject(id, c), [ringing.id, code] as const);
      await expect
        .poll(
          async () =>
            (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.status === 'ended' && l.endCode === code)
              ?.outcome,
        )
        .toBe(outcome);
      await hangupAll();
      expect(await lastCall(bob!)).toMatchObject({ direction: 'in', outcome });
      expect(await lastCall(alice!)).toMatchObject({ direction: 'out', outcome });
    }
    await bob!.evaluate(() => window.phoneTest.setDnd(true));
    const ringsBefore = (await bob!.evaluate(() => window.phoneTest.notifications())).length;
    await alice!.evaluate(() => window.phoneTest.dial('bob'));
    await expect
      .poll(async () =>
        (await alice!.evaluate(() => window.phoneTest.lines())).some((l) => l.endCode === 486 && l.status === 'ended'),
      )
      .toBe(true);
    expect((await bob!.evaluate(() => window.phoneTest.notifications())).length).toBe(ringsBefore);
    expect(await lastCall(bob!)).toMatchObject({ direction: 'in', remote_number: 'alice', outcome: 'busy' });
    await bob!.evaluate(() => window.phoneTest.setDnd(false));
  }, 60_000);

  it('a call to the firm number shows the firm before ringing (P-Called-Party-ID)', async () => {
    const { alice, carol } = pages;
    await carol!.evaluate(() => window.phoneTest.dial('030 1234567'));
    const ringing = await lineIn(alice!, 'ringing');
    expect(ringing.dialled).toBe(TENANT_NUMBER);
    expect(ringing.lookup?.tenant?.name).toBe('Schreinerei Müller');
    expect(ringing.lookup?.tenant?.greeting).toBe('Schreinerei Müller, guten Tag');
    // The caller gives up before anyone answers: a missed call for the firm.
    const out = (await carol!.evaluate(() => window.phoneTest.lines())).find((l) => l.status !== 'ended')!;
    await carol!.evaluate((id) => window.phoneTest.hangup(id), out.id);
    await expect
      .poll(async () => (await alice!.evaluate(() => window.phoneTest.lines())).find((l) => l.id === ringing.id)?.status)
      .toBe('ended');
    await hangupAll();
    expect(await lastCall(alice!)).toMatchObject({
      direction: 'in',
      outcome: 'missed',
      tenant: TENANT,
      dialled_number: TENANT_NUMBER,
    });
  }, 60_000);

  it('re-registers within 10 s after Kamailio is killed and restarted, and takes a call again', async () => {
    const { alice, bob } = pages;
    await stack.killKamailio('SIGKILL');
    await expect.poll(() => reg(bob!), { timeout: 5000 }).not.toBe('registered');
    const restarted = Date.now();
    await stack.restartKamailio();
    await expect.poll(() => reg(bob!), { timeout: 10_000, interval: 100 }).toBe('registered');
    await expect.poll(() => reg(alice!), { timeout: 10_000, interval: 100 }).toBe('registered');
    expect(Date.now() - restarted).toBeLessThan(10_000);
    expect(await bob!.evaluate(() => window.phoneTest.registration().recoveries)).toBeGreaterThan(0);
    await alice!.evaluate(() => window.phoneTest.dial('bob'));
    const ringing = await lineIn(bob!, 'ringing');
    await bob!.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    await lineIn(alice!, 'connected');
    await hangupAll();
    for (const [user, errors] of Object.entries(pageErrors)) {
      // The bare test page serves no favicon and no ringtone file; anything else is an engine error.
      expect(
        errors.filter((e) => !e.startsWith('Failed to load resource')),
        user,
      ).toEqual([]);
    }
  }, 60_000);
});
