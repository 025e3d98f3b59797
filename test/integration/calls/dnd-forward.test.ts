import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hangupAll as hangupOn,
  inboundGrows,
  lineIn,
  startPhoneRig,
  TENANT,
  type PhoneRig,
  type PhoneTest as RigPhoneTest,
} from '../../helpers/phone-rig.js';

// "Nicht stören" with a forward target (docs/calls.md): the app answers 302, the real Kamailio
// follows it (uac_redirect) only to a colleague sharing a tenant. alice and bob serve Müller, dave
// serves another firm, carol calls.

interface PhoneTest extends RigPhoneTest {
  setDnd(on: boolean): void;
  setDndForward(action: 'reject' | 'forward', target: string): void;
  notifications(): string[];
}
declare const window: { phoneTest: PhoneTest };

let rig: PhoneRig;
let pages: Record<string, Page>;

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
  rig = await startPhoneRig(
    [{ id: 'alice', tenants: [TENANT] }, { id: 'bob', tenants: [TENANT] }, { id: 'carol' }, { id: 'dave', tenants: ['schmidt'] }],
    { extraTenants: [{ id: 'schmidt', name: 'Elektro Schmidt', numbers: ['+49307654321'] }] },
  );
  ({ pages } = rig);
}, 120_000);

afterAll(async () => {
  await rig?.stop();
});

describe('DND forwarding through Kamailio', () => {
  it('C calls A, A is on DND with forward to B: B rings and answers, audio flows, A records "forwarded"', async () => {
    const { alice, bob, carol } = pages;
    await alice!.evaluate(() => {
      window.phoneTest.setDnd(true);
      window.phoneTest.setDndForward('forward', 'bob');
    });
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

  it('a forward to a user of another firm is refused by the PBX: the caller gets 486, dave never rings', async () => {
    const { alice, carol, dave } = pages;
    await alice!.evaluate(() => window.phoneTest.setDndForward('forward', 'dave'));
    const before = await ids(carol!);
    await carol!.evaluate(() => window.phoneTest.dial('alice'));
    await expect.poll(() => newEndCode(carol!, before), { timeout: 8000 }).toBe(486);
    // alice's app did redirect (its row says so); the PBX refused to follow.
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'forwarded' });
    expect(await lines(dave!)).toEqual([]);
    expect(await lastCall(dave!)).toBeUndefined();
  }, 30_000);

  it('DND with "abweisen" still answers 486', async () => {
    const { alice, carol, bob } = pages;
    await alice!.evaluate(() => window.phoneTest.setDndForward('reject', 'bob'));
    const before = await ids(carol!);
    const bobBefore = (await lines(bob!)).length;
    await carol!.evaluate(() => window.phoneTest.dial('alice'));
    await expect.poll(() => newEndCode(carol!, before), { timeout: 8000 }).toBe(486);
    expect(await lastCall(alice!)).toMatchObject({ direction: 'in', remote_number: 'carol', outcome: 'busy' });
    expect((await lines(bob!)).length).toBe(bobBefore);
  }, 30_000);
});
