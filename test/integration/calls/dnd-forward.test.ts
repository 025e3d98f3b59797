import { createSocket } from 'node:dgram';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBaresip, type Baresip } from '../../helpers/baresip.js';
import { relayedPackets } from '../../helpers/rtpengine-ng.js';
import { openSipProbe } from '../../helpers/sip-probe.js';
import { sipRequest, sipStatus } from '../../helpers/stack.js';
import {
  hangupAll as hangupOn,
  inboundGrows,
  lineIn,
  startPhoneRig,
  TENANT,
  TENANT_NUMBER,
  type PhoneRig,
  type PhoneTest as RigPhoneTest,
} from '../../helpers/phone-rig.js';

// "Nicht stören" with a forward target (docs/calls.md): the app answers 302, the real Kamailio
// follows it (uac_redirect) to a colleague sharing a tenant, or to a number through the trunk like the
// user's own call. alice and bob serve Müller, dave serves another firm, carol calls; on UDP a baresip
// calls from outside and another one is the trunk, standing for the craftsman's mobile.

interface PhoneTest extends RigPhoneTest {
  setDnd(on: boolean): void;
  setDndForward(action: 'reject' | 'forward', target: string): void;
  forwardCheck(): { target: string; verdict: string; refusal?: string } | undefined;
  forgetForwardCheck(): void;
  notifications(): string[];
}
declare const window: { phoneTest: PhoneTest };

let rig: PhoneRig;
let pages: Record<string, Page>;
let outside: Baresip;
let mobile: Baresip;
const MOBILE = '+491701234567';
const OUTSIDE = '+4917612345678';

const lines = (page: Page) => page.evaluate(() => window.phoneTest.lines());
/** The end code of the page's newest call that is not among `known`, once it has ended. */
async function newEndCode(page: Page, known: Set<string>) {
  return (await lines(page)).find((l) => !known.has(l.id) && l.status === 'ended')?.endCode;
}
const ids = async (page: Page) => new Set((await lines(page)).map((l) => l.id));
async function lastCall(page: Page) {
  await page.evaluate(() => window.phoneTest.settled());
  return (await page.evaluate(() => window.phoneTest.calls()))[0];
}

beforeAll(async () => {
  const trunkPort = await freePort();
  rig = await startPhoneRig(
    [{ id: 'alice', tenants: [TENANT] }, { id: 'bob', tenants: [TENANT] }, { id: 'carol' }, { id: 'dave', tenants: ['schmidt'] }],
    { extraTenants: [{ id: 'schmidt', name: 'Elektro Schmidt', numbers: ['+49307654321'] }], trunk: `127.0.0.1:${trunkPort}` },
  );
  ({ pages } = rig);
  const { sipDomain, ports } = rig.stack.info;
  mobile = await startBaresip({ user: MOBILE, domain: sipDomain, pbxPort: ports.udp, sipPort: trunkPort });
  outside = await startBaresip({ user: OUTSIDE, domain: sipDomain, pbxPort: ports.udp });
}, 120_000);

afterAll(async () => {
  await outside?.stop();
  await mobile?.stop();
  await rig?.stop();
});

/** The outside caller dials alice; resolves with the event mark to wait from. */
async function outsideCallsAlice(): Promise<number> {
  const mark = outside.events.length;
  await outside.command('dial', `sip:alice@${rig.stack.info.sipDomain}`);
  return mark;
}

/** Sets alice's DND forward and waits for the PBX's verdict on it. */
async function forwardTo(page: Page, target: string) {
  await page.evaluate((t) => {
    window.phoneTest.setDnd(true);
    window.phoneTest.setDndForward('forward', t);
  }, target);
  await expect.poll(() => page.evaluate(() => window.phoneTest.forwardCheck()?.verdict), { timeout: 8000 }).not.toBe('unknown');
  return page.evaluate(() => window.phoneTest.forwardCheck());
}

const incomingSince = (ua: Baresip, mark: number) => ua.events.slice(mark).filter((e) => e.type === 'CALL_INCOMING');

/** Each party's packets through rtpengine over one second, for the call whose parties all send. */
async function packetsPerSecond(): Promise<number[]> {
  const ng = rig.stack.info.ports.rtpengineNg;
  const first = await relayedPackets(ng);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const second = await relayedPackets(ng);
  const grown = second.map((call, i) => Object.entries(call).map(([tag, n]) => n - (first[i]?.[tag] ?? 0)));
  return grown.sort((a, b) => Math.min(...b) - Math.min(...a))[0] ?? [];
}

describe('DND forwarding through Kamailio', () => {
  it('C calls A, A is on DND with forward to B: B rings and answers, audio flows, A records "forwarded"', async () => {
    const { alice, bob, carol } = pages;
    expect(await forwardTo(alice!, 'bob')).toEqual({ target: 'bob', verdict: 'followed' });
    const ringsBefore = (await alice!.evaluate(() => window.phoneTest.notifications())).length;
    await carol!.evaluate(() => window.phoneTest.dial('alice'));
    const ringing = await lineIn(bob!, 'ringing');
    expect(ringing.remoteUser).toBe('carol');
    await bob!.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    const c = await lineIn(carol!, 'connected');
    const b = await lineIn(bob!, 'connected');
    await expect.poll(() => inboundGrows(carol!, c.id), { timeout: 8000 }).toBeGreaterThan(10);
    await expect.poll(() => inboundGrows(bob!, b.id), { timeout: 8000 }).toBeGreaterThan(10);

    // alice never rang (no line, no notification); her history row says forwarded.
    expect((await alice!.evaluate(() => window.phoneTest.notifications())).length).toBe(ringsBefore);
    expect(await lines(alice!)).toEqual([]);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'forwarded' });
    await hangupOn(Object.values(pages));
    expect(await lastCall(bob!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'answered' });
  }, 60_000);

  it('a colleague who is not registered: the caller hears busy (486, not 480) and the row says busy; once bob is back, the next call reaches him', async () => {
    const { alice, bob } = pages;
    // Settings checked while bob was online; he signs off afterwards, so only a check at the call can know.
    expect(await forwardTo(alice!, 'bob')).toEqual({ target: 'bob', verdict: 'followed' });
    await bob!.evaluate(() => window.phoneTest.stop());
    try {
      const mark = await outsideCallsAlice();
      expect((await outside.waitForEvent('CALL_CLOSED', 8000, mark)).param).toContain('486');
      expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'busy' });
      expect(await alice!.evaluate(() => window.phoneTest.forwardCheck())).toEqual({
        target: 'bob',
        verdict: 'refused',
        refusal: 'not_registered',
      });
    } finally {
      await bob!.evaluate(([aor, tenant]) => window.phoneTest.start(aor!, tenant), ['sip:bob@localhost', TENANT]);
    }
    await expect.poll(() => bob!.evaluate(() => window.phoneTest.registration().status), { timeout: 10_000 }).toBe('registered');

    // The "not registered" of the last call does not stick: this call asks again and is forwarded.
    const mark = await outsideCallsAlice();
    const ringing = await lineIn(bob!, 'ringing');
    expect(ringing.remoteUser).toBe(OUTSIDE);
    await bob!.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    await outside.waitForEvent('CALL_ESTABLISHED', 8000, mark);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'forwarded' });
    expect(await alice!.evaluate(() => window.phoneTest.forwardCheck())).toEqual({ target: 'bob', verdict: 'followed' });
    await hangupOn([bob!]);
    await outside.waitForEvent('CALL_CLOSED', 8000, mark);
    expect(await lastCall(bob!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'answered' });
    await alice!.evaluate(() => window.phoneTest.setDnd(false));
  }, 60_000);

  it('a user of another firm: the PBX says no beforehand, alice answers 486 and records busy; unasked, the PBX refuses', async () => {
    const { alice, carol, dave } = pages;
    expect(await forwardTo(alice!, 'dave')).toEqual({ target: 'dave', verdict: 'refused', refusal: 'not_colleague' });
    let before = await ids(carol!);
    await carol!.evaluate(() => window.phoneTest.dial('alice'));
    await expect.poll(() => newEndCode(carol!, before), { timeout: 8000 }).toBe(486);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'busy' });

    // An app that could not ask sends its 302; the PBX still does not follow it.
    await alice!.evaluate(() => window.phoneTest.forgetForwardCheck());
    before = await ids(carol!);
    await carol!.evaluate(() => window.phoneTest.dial('alice'));
    await expect.poll(() => newEndCode(carol!, before), { timeout: 8000 }).toBe(486);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'forwarded' });
    expect(await lines(dave!)).toEqual([]);
    expect(await lastCall(dave!)).toBeUndefined();
  }, 30_000);

  it('DND with "abweisen" still answers 486', async () => {
    const { alice, carol, bob } = pages;
    await alice!.evaluate(() => window.phoneTest.setDndForward('reject', 'bob'));
    expect(await alice!.evaluate(() => window.phoneTest.forwardCheck())).toBeUndefined();
    const before = await ids(carol!);
    const bobBefore = (await lines(bob!)).length;
    await carol!.evaluate(() => window.phoneTest.dial('alice'));
    await expect.poll(() => newEndCode(carol!, before), { timeout: 8000 }).toBe(486);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'busy' });
    expect((await lines(bob!)).length).toBe(bobBefore);
  }, 30_000);

  it('an outside caller reaches alice on DND-forward to a number: the mobile behind the trunk rings, answers, audio flows', async () => {
    const { alice, bob } = pages;
    expect(await forwardTo(alice!, '0170 1234567')).toEqual({ target: MOBILE, verdict: 'followed' });
    const ringsBefore = (await alice!.evaluate(() => window.phoneTest.notifications())).length;
    const bobBefore = await ids(bob!);
    const mobileMark = mobile.events.length;
    const mark = await outsideCallsAlice();
    const incoming = await mobile.waitForEvent('CALL_INCOMING', 8000, mobileMark);
    // The trunk gets the outside caller as From.
    expect(JSON.stringify(incoming)).toContain(OUTSIDE);
    await mobile.command('accept');
    await outside.waitForEvent('CALL_ESTABLISHED', 8000, mark);
    await mobile.waitForEvent('CALL_RTPESTAB', 8000, mobileMark);
    await outside.waitForEvent('CALL_RTPESTAB', 8000, mark);
    const perSecond = await packetsPerSecond();
    expect(perSecond.length).toBeGreaterThanOrEqual(2);
    for (const n of perSecond) expect(n, 'packets per party in 1 s through rtpengine').toBeGreaterThan(20);

    expect((await alice!.evaluate(() => window.phoneTest.notifications())).length).toBe(ringsBefore);
    expect(await lines(alice!)).toEqual([]);
    expect((await lines(bob!)).filter((line) => !bobBefore.has(line.id))).toEqual([]);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'forwarded' });
    // The mobile hangs up: its BYE comes over UDP with alice in From (the To of the call it got), and
    // still reaches the caller — only new requests in a colleague's name are refused.
    await mobile.command('hangup');
    await outside.waitForEvent('CALL_CLOSED', 8000, mark);
  }, 60_000);

  it("alice's own call to the number takes the same way: the mobile rings", async () => {
    const { alice } = pages;
    await alice!.evaluate(() => window.phoneTest.setDnd(false));
    const mobileMark = mobile.events.length;
    await alice!.evaluate(() => window.phoneTest.dial('0170 1234567'));
    await mobile.waitForEvent('CALL_INCOMING', 8000, mobileMark);
    await mobile.command('accept');
    const line = await lineIn(alice!, 'connected');
    await expect.poll(() => inboundGrows(alice!, line.id), { timeout: 8000 }).toBeGreaterThan(10);
    await hangupOn([alice!]);
    await mobile.waitForEvent('CALL_CLOSED', 8000, mobileMark);
  }, 30_000);

  it('a premium-rate number is refused as a target as it is for dialling: 486 for the caller, nothing at the trunk', async () => {
    const { alice } = pages;
    expect(await forwardTo(alice!, '0900 1234567')).toMatchObject({ verdict: 'refused', refusal: 'barred' });
    const mobileMark = mobile.events.length;
    let mark = await outsideCallsAlice();
    expect((await outside.waitForEvent('CALL_CLOSED', 8000, mark)).param).toContain('486');
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'busy' });

    await alice!.evaluate(() => window.phoneTest.forgetForwardCheck());
    mark = await outsideCallsAlice();
    expect((await outside.waitForEvent('CALL_CLOSED', 8000, mark)).param).toContain('486');
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'forwarded' });
    expect(incomingSince(mobile, mobileMark)).toEqual([]);

    await alice!.evaluate(() => window.phoneTest.setDnd(false));
    const before = await ids(alice!);
    await alice!.evaluate(() => window.phoneTest.dial('0900 1234567'));
    await expect.poll(() => newEndCode(alice!, before), { timeout: 8000 }).toBe(403);
    expect(incomingSince(mobile, mobileMark)).toEqual([]);
  }, 30_000);

  it('premium and satellite ranges abroad are barred as well; an ordinary foreign number is not', async () => {
    const { alice } = pages;
    for (const number of ['+41 900 123456', '+43 900 123456', '+43 930 123456', '+979 123456789', '+881 612345678']) {
      expect(await forwardTo(alice!, number), number).toMatchObject({ verdict: 'refused', refusal: 'barred' });
    }
    expect(await forwardTo(alice!, '+41 44 123 45 67')).toMatchObject({ target: '+41441234567', verdict: 'followed' });
    await alice!.evaluate(() => window.phoneTest.setDnd(false));
  });

  it('a firm number of this PBX is no target: the PBX would not send it out through the trunk', async () => {
    const { alice } = pages;
    expect(await forwardTo(alice!, '030 1234567')).toEqual({ target: TENANT_NUMBER, verdict: 'refused', refusal: 'firm_number' });
    await alice!.evaluate(() => window.phoneTest.setDnd(false));
  });

  it('a second forward is not followed: alice forwards to bob, bob (on DND) to the mobile; the caller gets 486', async () => {
    const { alice, bob } = pages;
    await forwardTo(alice!, 'bob');
    expect(await forwardTo(bob!, '0170 1234567')).toEqual({ target: MOBILE, verdict: 'followed' });
    try {
      const mobileMark = mobile.events.length;
      const mark = await outsideCallsAlice();
      expect((await outside.waitForEvent('CALL_CLOSED', 8000, mark)).param).toContain('486');
      expect(incomingSince(mobile, mobileMark)).toEqual([]);
      expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'forwarded' });
      // bob's app read the PBX's X-Vermittlung-Forwarded-By, so it answered 486 itself: its row says busy.
      expect(await lastCall(bob!)).toMatchObject({ direction: 'in', remote_number: OUTSIDE, outcome: 'busy' });
    } finally {
      await bob!.evaluate(() => window.phoneTest.setDnd(false));
    }
  }, 30_000);

  it('a caller cannot fake the "already forwarded" mark: the PBX strips it, alice still forwards to bob', async () => {
    const { alice, bob } = pages;
    await forwardTo(alice!, 'bob');
    const { sipDomain, ports } = rig.stack.info;
    const probe = await openSipProbe(ports.udp);
    try {
      const sdp = [
        'v=0',
        `o=- 1 1 IN IP4 127.0.0.1`,
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        '',
      ].join('\r\n');
      const invite = sipRequest({
        method: 'INVITE',
        user: '+4915112345678',
        toUser: 'alice',
        domain: sipDomain,
        transport: 'UDP',
        via: `127.0.0.1:${probe.port}`,
        extra: ['X-Vermittlung-Forwarded-By: mallory', 'Content-Type: application/sdp'],
        body: sdp,
      });
      void probe.send(invite, 100);
      const ringing = await lineIn(bob!, 'ringing');
      expect(ringing.remoteUser).toBe('+4915112345678');
      expect(await lastCall(alice!)).toMatchObject({ remote_number: '+4915112345678', outcome: 'forwarded' });
      await bob!.evaluate((id) => window.phoneTest.reject(id, 486), ringing.id);
    } finally {
      await probe.close();
      await alice!.evaluate(() => window.phoneTest.setDnd(false));
    }
  });

  it('nobody on UDP can register as alice, so only her certified app can answer her calls with a forward', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    try {
      const reply = new Promise<string>((resolve) => socket.once('message', (m) => resolve(m.toString())));
      const { sipDomain, ports } = rig.stack.info;
      const via = `127.0.0.1:${socket.address().port}`;
      socket.send(
        sipRequest({ method: 'REGISTER', user: 'alice', domain: sipDomain, transport: 'UDP', via }),
        ports.udp,
        '127.0.0.1',
      );
      expect(sipStatus(await reply)).toBe(403);
    } finally {
      socket.close();
    }
  });
});
