import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import {
  TENANT,
  TENANT_NUMBER,
  hangupAll,
  inboundGrows,
  lineIn,
  livelines,
  registration,
  startPhoneRig,
  type PhoneRig,
  type PhoneTest,
} from '../../helpers/phone-rig.js';
import { relayedPackets } from '../../helpers/rtpengine-ng.js';

// An outside caller on UDP (baresip, PCMU, a 440 Hz tone as microphone) rings the firm's number;
// alice's app (Chromium, production engine over the bridged WSS transport) answers.
declare const window: { phoneTest: PhoneTest };

const CALLER = '+4917612345678';
let rig: PhoneRig;
let caller: Baresip;
let alice: Page;

beforeAll(async () => {
  rig = await startPhoneRig([
    {
      id: 'alice',
      tenants: [TENANT],
      seed: (store) => {
        store.contacts.create({ tenant: TENANT, name: 'Kunde Meier', phones: [{ kind: 'mobile', number: '0176 12345678' }] });
      },
    },
  ]);
  alice = rig.pages.alice!;
  caller = await startBaresip({ user: CALLER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
}, 120_000);

afterAll(async () => {
  await caller?.stop();
  await rig?.stop();
});

async function callFromOutside(): Promise<{ lineId: string; mark: number }> {
  const mark = caller.events.length;
  await caller.command('dial', `sip:${TENANT_NUMBER}@${rig.stack.info.sipDomain}`);
  const ringing = await lineIn(alice, 'ringing');
  await alice.evaluate((id) => window.phoneTest.answer(id), ringing.id);
  await lineIn(alice, 'connected');
  await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
  return { lineId: ringing.id, mark };
}

/** The app hangs up; the BYE reaches baresip through Kamailio. */
async function hangupOutside(mark: number): Promise<void> {
  await hangupAll([alice]);
  await caller.waitForEvent('CALL_CLOSED', 8000, mark);
}

describe('an outside UDP caller through Kamailio and rtpengine', () => {
  it('shows the firm and the matched contact, and audio flows both ways through rtpengine', async () => {
    const mark = caller.events.length;
    await caller.command('dial', `sip:${TENANT_NUMBER}@${rig.stack.info.sipDomain}`);
    const ringing = await lineIn(alice, 'ringing');
    expect(ringing.remoteUser).toBe(CALLER);
    expect(ringing.dialled).toBe(TENANT_NUMBER);
    expect(ringing.lookup?.tenant?.name).toBe('Schreinerei Müller');
    expect(ringing.lookup?.contact?.name).toBe('Kunde Meier');
    await alice.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    await lineIn(alice, 'connected');
    await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    // baresip → rtpengine → Chromium: the app's inbound RTP grows.
    await expect.poll(() => inboundGrows(alice, ringing.id), { timeout: 8000 }).toBeGreaterThan(20);
    // Both parties' streams as rtpengine counts them: each side sends, and keeps sending.
    const ng = rig.stack.info.ports.rtpengineNg;
    const first = await relayedPackets(ng);
    expect(first).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = (await relayedPackets(ng))[0]!;
    const tags = Object.keys(second);
    expect(tags).toHaveLength(2);
    for (const tag of tags) expect(second[tag]! - first[0]![tag]!, `packets from ${tag} in 1 s`).toBeGreaterThan(20);
    // And baresip saw RTP arrive from rtpengine.
    await caller.waitForEvent('CALL_RTPESTAB', 5000, mark);

    // RFC 4733 from the app (RTCDTMFSender) arrives at the far end as telephone-events.
    await alice.evaluate(() => window.phoneTest.setDtmfMode('rfc4733'));
    await alice.evaluate((id) => window.phoneTest.dtmf(id, '1#5'), ringing.id);
    await expect.poll(() => caller.dtmfReceived(), { timeout: 8000 }).toBe('1#5');

    await hangupOutside(mark);
    await alice.evaluate(() => window.phoneTest.settled());
    const [row] = await alice.evaluate(() => window.phoneTest.calls());
    expect(row).toMatchObject({ direction: 'in', remote_number: CALLER, outcome: 'answered', tenant: TENANT });
    expect(row!.contact_id).toBe(ringing.lookup?.contact?.id);
  }, 60_000);

  it('re-registers within 10 s after its WSS connection is cut (ss -K), and takes a call again', async () => {
    const wss = rig.stack.info.ports.wss;
    const before = await alice.evaluate(() => window.phoneTest.registration().recoveries);
    const cutAt = Date.now();
    // Destroys the TCP sockets of this stack's WSS port only (both ends): the network "goes away",
    // Kamailio keeps running.
    execFileSync('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', `:${wss}`]);
    execFileSync('ss', ['-K', 'src', '127.0.0.1', 'sport', '=', `:${wss}`]);
    await expect
      .poll(async () => (await alice.evaluate(() => window.phoneTest.registration().recoveries)) > before, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(true);
    await expect.poll(() => registration(alice), { timeout: 10_000, interval: 100 }).toBe('registered');
    expect(Date.now() - cutAt).toBeLessThan(10_000);
    const { lineId, mark } = await callFromOutside();
    await expect.poll(() => inboundGrows(alice, lineId), { timeout: 8000 }).toBeGreaterThan(20);
    await hangupOutside(mark);
    expect(await livelines(alice)).toEqual([]);
    expect(rig.pageErrors.alice!.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
  }, 60_000);

  it('fills in a ringing card when the caller becomes a contact while it rings', async () => {
    const stranger = await startBaresip({
      user: '+4915199887766',
      domain: rig.stack.info.sipDomain,
      pbxPort: rig.stack.info.ports.udp,
    });
    try {
      const mark = stranger.events.length;
      await stranger.command('dial', `sip:${TENANT_NUMBER}@${rig.stack.info.sipDomain}`);
      const ringing = await lineIn(alice, 'ringing');
      expect(ringing.lookup?.tenant?.name).toBe('Schreinerei Müller');
      expect(ringing.lookup?.contact ?? null).toBeNull();
      await alice.evaluate((tenant) => window.phoneTest.createContact(tenant, 'Frau Neu', '0151 99887766'), TENANT);
      await expect
        .poll(async () => (await livelines(alice)).find((line) => line.id === ringing.id)?.lookup?.contact?.name, {
          timeout: 5000,
        })
        .toBe('Frau Neu');
      await hangupAll([alice]);
      await stranger.waitForEvent('CALL_CLOSED', 8000, mark);
    } finally {
      await stranger.stop();
    }
  });
});
