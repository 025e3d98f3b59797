import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import {
  hangupAll,
  inboundGrows,
  lineIn,
  livelines,
  registration,
  startPhoneRig,
  type PhoneRig,
  type PhoneTest,
} from '../../helpers/phone-rig.js';
import { malformedSuite, openSipProbe, type SipProbe } from '../../helpers/sip-probe.js';

// Broken SIP sent over UDP to Kamailio, addressed to alice (so whatever the PBX lets through reaches
// her engine over the WSS bridge): the engine must neither crash nor lose its registration, and a
// normal call must still work afterwards.
declare const window: { phoneTest: PhoneTest };

let rig: PhoneRig;
let probe: SipProbe;
let caller: Baresip;
let alice: Page;

beforeAll(async () => {
  rig = await startPhoneRig([{ id: 'alice' }]);
  alice = rig.pages.alice!;
  probe = await openSipProbe(rig.stack.info.ports.udp);
  caller = await startBaresip({ user: 'outsider', domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
}, 120_000);

afterAll(async () => {
  await probe?.close();
  await caller?.stop();
  await rig?.stop();
});

const engineErrors = () => rig.pageErrors.alice!.filter((e) => !e.startsWith('Failed to load resource'));

describe('malformed SIP towards a registered app', () => {
  it('never crashes the engine; it stays registered and takes a normal call afterwards', async () => {
    const seen: Record<string, number[]> = {};
    for (const { name, message } of malformedSuite('alice', rig.stack.info.sipDomain, probe.port)) {
      seen[name] = await probe.send(message, 700);
      // Anything that reached the engine as a call is declined again, as a user would.
      for (const line of await livelines(alice))
        await alice.evaluate((id) => window.phoneTest.reject(id, 603), line.id).catch(() => undefined);
      expect(engineErrors(), `page errors after: ${name}`).toEqual([]);
      expect(await registration(alice), `registration after: ${name}`).toBe('registered');
    }
    // The PBX answered the well-formed-enough requests (e.g. 405 for the unknown method): the probe
    // really reached it, so the suite is not silently sending nowhere.
    expect(seen['unknown method']).toContain(405);
    // These reached alice's engine through the PBX (it rang for the broken SDP — declining it is the
    // user's call — and accepted the MESSAGE with the 60 KiB header).
    expect(seen['INVITE with broken SDP']).toContain(180);
    expect(seen['60 KiB header']).toContain(200);

    // The engine still answers in-dialog-less OPTIONS keep-alives and takes a call.
    const mark = caller.events.length;
    await caller.command('dial', `sip:alice@${rig.stack.info.sipDomain}`);
    const ringing = await lineIn(alice, 'ringing');
    await alice.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    await expect.poll(() => inboundGrows(alice, ringing.id), { timeout: 8000 }).toBeGreaterThan(20);
    await hangupAll([alice]);
    expect(engineErrors()).toEqual([]);
  }, 90_000);
});
