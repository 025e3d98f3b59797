import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangupAll, lineIn, livelines, startPhoneRig, type PhoneRig, type PhoneTest } from '../../helpers/phone-rig.js';
import { openSipProbe, type SipProbe } from '../../helpers/sip-probe.js';
import { sipRequest } from '../../helpers/stack.js';

// Nobody outside may ring as a colleague: requests over UDP (the trunk's side, no certificate) that
// name a colleague are refused by the real Kamailio before they reach an app, UDP from a host that is
// not an allowed peer is refused, and the apps learn who of their colleagues calls only from the PBX.
declare const window: { phoneTest: PhoneTest };

const OUTSIDER = '+4917612345678';
let rig: PhoneRig;
let probe: SipProbe;
let stranger: SipProbe;
let alice: Page;
let carol: Page;
let domain: string;

beforeAll(async () => {
  // The test helper allows 127.0.0.1 as the only UDP peer; 127.0.0.2 is a host that is not one.
  rig = await startPhoneRig([{ id: 'alice' }, { id: 'carol' }]);
  [alice, carol] = [rig.pages.alice!, rig.pages.carol!];
  domain = rig.stack.info.sipDomain;
  probe = await openSipProbe(rig.stack.info.ports.udp);
  stranger = await openSipProbe(rig.stack.info.ports.udp, '127.0.0.2');
}, 120_000);

afterAll(async () => {
  await probe?.close();
  await stranger?.close();
  await rig?.stop();
});

/** The calls and messages alice's engine received over its certified connection since the trace started. */
const arrivedAtAlice = async () =>
  (await alice.evaluate(() => window.phoneTest.trace(false)))
    .map(([, line]) => line)
    .filter((line) => /^in {2}(INVITE|MESSAGE) /.test(line));

function fromUdp(probeOf: SipProbe, method: 'INVITE' | 'MESSAGE', user: string, extra: string[] = []): string {
  return sipRequest({
    method,
    user,
    domain,
    toUser: 'alice',
    transport: 'UDP',
    via: `${probeOf.address}:${probeOf.port}`,
    extra: method === 'MESSAGE' ? [...extra, 'Content-Type: text/plain'] : extra,
    body: method === 'MESSAGE' ? 'Hier ist Carol, bitte die Kontonummer von Frau Meier.' : '',
  });
}

describe('SIP over UDP in a colleague’s name', () => {
  it('refuses an INVITE and a MESSAGE whose From, P-Asserted- or P-Preferred-Identity names a colleague (403); nothing reaches an app', async () => {
    await alice.evaluate(() => window.phoneTest.trace(true));
    const impersonations = [
      ['INVITE', 'carol', []],
      ['MESSAGE', 'carol', []],
      ['INVITE', 'Carol', []],
      ['INVITE', OUTSIDER, [`P-Asserted-Identity: <sip:carol@${domain}>`]],
      ['MESSAGE', OUTSIDER, ['P-Preferred-Identity: <sip:carol@elsewhere.example>']],
    ] as const;
    for (const [method, user, extra] of impersonations) {
      const codes = await probe.send(fromUdp(probe, method, user, [...extra]), 700);
      expect(codes, `${method} as ${user} ${extra.join(' ')}`).toEqual([403]);
      expect(probe.responses()[0]).toContain('colleague calls only over her certified connection');
    }
    expect(await livelines(alice)).toEqual([]);
    expect(await arrivedAtAlice()).toEqual([]);

    // The same MESSAGE from an outside number goes through: the probe does reach alice's app.
    await alice.evaluate(() => window.phoneTest.trace(true));
    expect(await probe.send(fromUdp(probe, 'MESSAGE', OUTSIDER), 1500)).toContain(200);
    expect((await arrivedAtAlice()).some((line) => line.startsWith('in  MESSAGE'))).toBe(true);
  });

  it('refuses UDP from a host that is not an allowed peer (403), whatever it sends', async () => {
    await alice.evaluate(() => window.phoneTest.trace(true));
    for (const method of ['INVITE', 'MESSAGE'] as const) {
      expect(await stranger.send(fromUdp(stranger, method, OUTSIDER), 700), method).toEqual([403]);
      expect(stranger.responses()[0]).toContain('not an allowed peer');
    }
    expect(
      await stranger.send(
        sipRequest({ method: 'OPTIONS', user: 'x', domain, transport: 'UDP', via: `127.0.0.2:${stranger.port}` }),
      ),
    ).toEqual([403]);
    expect(await livelines(alice)).toEqual([]);
    expect(await arrivedAtAlice()).toEqual([]);
  });

  it('shows an outside call as outside even when it forges the PBX’s caller header', async () => {
    const invite = fromUdp(probe, 'INVITE', OUTSIDER, ['X-Vermittlung-Caller: carol']).replace(
      `From: <sip:${OUTSIDER}@`,
      `From: "Carol (Chefin)" <sip:${OUTSIDER}@`,
    );
    const answered = probe.send(invite, 2500);
    const ringing = await lineIn(alice, 'ringing');
    expect(ringing).toMatchObject({ caller: 'outside', remoteUser: OUTSIDER, remoteName: undefined });
    await alice.evaluate((id) => window.phoneTest.reject(id, 603), ringing.id);
    expect(await answered).toContain(603);
    await expect.poll(() => livelines(alice)).toEqual([]);
  });

  it('names no transferor on an outside call that forges the PBX’s transfer header', async () => {
    const forged = [
      'X-Vermittlung-Transferred-By: carol',
      'X-Vermittlung-Transfer-Dialled: +492211234567',
      'X-Vermittlung-Consult-Caller: +4930123456',
    ];
    const answered = probe.send(fromUdp(probe, 'INVITE', OUTSIDER, forged), 2500);
    const ringing = await lineIn(alice, 'ringing');
    expect(ringing).toMatchObject({
      caller: 'outside',
      transferredBy: undefined,
      consultAbout: undefined,
      dialled: undefined,
      viaTransfer: false,
    });
    await alice.evaluate((id) => window.phoneTest.reject(id, 603), ringing.id);
    expect(await answered).toContain(603);
    await expect.poll(() => livelines(alice)).toEqual([]);
  });

  it('shows a real colleague’s call over her certified connection as hers', async () => {
    await carol.evaluate(() => void window.phoneTest.dial('alice'));
    const ringing = await lineIn(alice, 'ringing');
    expect(ringing).toMatchObject({ caller: 'colleague', remoteUser: 'carol', remoteName: undefined });
    await hangupAll([carol, alice]);
  });
});
