import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBaresip, type Baresip } from '../../helpers/baresip.js';
import { openSipProbe } from '../../helpers/sip-probe.js';
import { sipRequest } from '../../helpers/stack.js';
import {
  TENANT,
  TENANT_NUMBER,
  lineIn,
  startPhoneRig,
  type PhoneRig,
  type PhoneTest as RigPhoneTest,
} from '../../helpers/phone-rig.js';

// "An Handy weitergeben": an outside caller rings the firm, alice answers and hands him to the
// craftsman's mobile (the firm's `mobile`) with one click. The caller, on UDP, places the new call
// himself (REFER), so the PBX must let exactly that call out through the trunk, and nothing else.
interface PhoneTest extends RigPhoneTest {
  toMobile(id: string): Promise<void>;
  blind(id: string, target: string): Promise<void>;
}
declare const window: { phoneTest: PhoneTest };

const MOBILE = '+491701234567';
const CALLER = '+4917612345678';
let rig: PhoneRig;
let alice: Page;
let caller: Baresip;
let mobile: Baresip;

beforeAll(async () => {
  const trunkPort = await freePort();
  rig = await startPhoneRig([{ id: 'alice', tenants: [TENANT] }], { trunk: `127.0.0.1:${trunkPort}` });
  alice = rig.pages.alice!;
  const { sipDomain, ports } = rig.stack.info;
  mobile = await startBaresip({ user: MOBILE, domain: sipDomain, pbxPort: ports.udp, sipPort: trunkPort });
  caller = await startBaresip({ user: CALLER, domain: sipDomain, pbxPort: ports.udp });
}, 120_000);

afterAll(async () => {
  await caller?.stop();
  await mobile?.stop();
  await rig?.stop();
});

/** The caller rings the firm and alice answers; resolves with alice's line id and the caller's event mark. */
async function answeredCall(): Promise<{ id: string; mark: number }> {
  const mark = caller.events.length;
  await caller.command('dial', `sip:${TENANT_NUMBER}@${rig.stack.info.sipDomain}`);
  const ringing = await lineIn(alice, 'ringing');
  await alice.evaluate((id) => window.phoneTest.answer(id), ringing.id);
  await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
  return { id: ringing.id, mark };
}

const transferOf = async (id: string) =>
  (await alice.evaluate(() => window.phoneTest.lines())).find((l) => l.id === id)?.transfer;

describe('transfer to the firm’s mobile through the trunk', () => {
  it('the outside caller ends up talking to the mobile; alice’s row says forwarded', async () => {
    const { id } = await answeredCall();
    expect((await alice.evaluate(() => window.phoneTest.lines())).find((l) => l.id === id)?.lookup?.tenant?.mobile).toBe(MOBILE);
    const mobileMark = mobile.events.length;
    const callerMark = caller.events.length;
    const transfer = alice.evaluate((lineId) => window.phoneTest.toMobile(lineId), id);
    const incoming = await mobile.waitForEvent('CALL_INCOMING', 10_000, mobileMark);
    expect(JSON.stringify(incoming)).toContain(CALLER);
    await mobile.command('accept');
    await transfer;
    expect(await transferOf(id)).toMatchObject({ kind: 'blind', target: MOBILE, state: 'done' });
    await caller.waitForEvent('CALL_RTPESTAB', 8000, callerMark);
    await mobile.waitForEvent('CALL_RTPESTAB', 8000, mobileMark);
    await alice.evaluate(() => window.phoneTest.settled());
    expect((await alice.evaluate(() => window.phoneTest.calls()))[0]).toMatchObject({
      remote_number: CALLER,
      outcome: 'forwarded',
    });
    await caller.command('hangup');
    await mobile.waitForEvent('CALL_CLOSED', 8000, mobileMark);
  }, 60_000);

  it('the transfer let one call out, not more: the caller dialling the mobile himself afterwards gets 404', async () => {
    const mark = caller.events.length;
    const mobileMark = mobile.events.length;
    await caller.command('dial', `sip:${MOBILE}@${rig.stack.info.sipDomain}`);
    expect((await caller.waitForEvent('CALL_CLOSED', 8000, mark)).param).toContain('404');
    expect(mobile.events.slice(mobileMark).filter((e) => e.type === 'CALL_INCOMING')).toEqual([]);
  }, 30_000);

  it('a transfer to a premium-rate number is not let out: the transfer fails, the caller stays with alice', async () => {
    const { id, mark } = await answeredCall();
    const mobileMark = mobile.events.length;
    await alice.evaluate((lineId) => window.phoneTest.blind(lineId, '0900 1234567'), id);
    expect(await transferOf(id)).toMatchObject({ target: '+499001234567', state: 'failed' });
    expect(mobile.events.slice(mobileMark).filter((e) => e.type === 'CALL_INCOMING')).toEqual([]);
    // The caller's own attempt (on the REFER) got 404; his call with alice goes on.
    const closed = (peer: string) =>
      caller.events.slice(mark).filter((e) => e.type === 'CALL_CLOSED' && e.peeruri?.includes(peer));
    expect(closed('+499001234567').map((e) => e.param)).toEqual(['404 Not Found']);
    expect(closed(TENANT_NUMBER)).toEqual([]);
    expect((await alice.evaluate(() => window.phoneTest.lines())).find((l) => l.id === id)?.status).toBe('connected');
    await caller.command('hangup');
    await expect.poll(() => closed(TENANT_NUMBER).length, { timeout: 8000 }).toBe(1);
  }, 60_000);

  it('a UDP peer no app transferred cannot call the mobile', async () => {
    const probe = await openSipProbe(rig.stack.info.ports.udp);
    try {
      const invite = sipRequest({
        method: 'INVITE',
        user: CALLER,
        toUser: MOBILE,
        domain: rig.stack.info.sipDomain,
        transport: 'UDP',
        via: `127.0.0.1:${probe.port}`,
      });
      expect(await probe.send(invite, 800)).toContain(404);
    } finally {
      await probe.close();
    }
  });
});
