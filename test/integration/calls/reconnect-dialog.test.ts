import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../pbx/daemons.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import { openSipApp, type SipApp } from '../../helpers/sip-app.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';

// A call between two scripted apps through Kamailio; the callee's app then registers again over a
// new connection with the same Contact (what SIP.js does after it gave up on a silent link) while the
// PBX still holds the old one. The caller's BYE must reach the callee over the new connection.
let home: TestHome;
let stack: Stack;
const apps: SipApp[] = [];

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] }],
    users: ['alice', 'bob'].map((id) => ({ id, name: id, role: 'teleworker' as const, tenants: ['mueller'], certificates: [] })),
  });
  stack = await startTestStack(home.home, { server: false });
}, 60_000);

afterAll(async () => {
  for (const app of apps) app.close();
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

function app(user: string): SipApp {
  const cert = home.issue(user);
  const opened = openSipApp({
    user,
    domain: stack.info.sipDomain,
    url: () => stack.info.pbxWss,
    tls: { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem },
    logHome: home.home,
  });
  apps.push(opened);
  return opened;
}

/** Alice calls bob, who answers on his first connection. */
async function callBetweenAliceAndBob(): Promise<{ alice: SipApp; bobOld: SipApp; callId: string }> {
  const alice = app('alice');
  const bobOld = app('bob');
  expect(await alice.register()).toBe('SIP/2.0 200 OK');
  expect(await bobOld.register()).toBe('SIP/2.0 200 OK');
  const placed = alice.invite('bob');
  const callId = await bobOld.answerNext();
  expect((await placed).status).toBe(200);
  return { alice, bobOld, callId };
}

const byes = (app: SipApp, callId: string) => app.messages.filter((m) => m.startsWith('BYE ') && m.includes(callId)).length;

describe('in-dialog requests after an app reconnected', () => {
  it('go over the connection the app registered last, not the one the call began on', async () => {
    const { alice, bobOld, callId } = await callBetweenAliceAndBob();

    const bobNew = app('bob');
    expect(await bobNew.register()).toBe('SIP/2.0 200 OK');
    expect(await alice.bye(callId)).toBe(200);
    expect(byes(bobNew, callId)).toBe(1);
    expect(byes(bobOld, callId)).toBe(0);
  }, 60_000);

  it('go over the user’s newest connection when the one the call began on has closed and the app has not registered again yet', async () => {
    const { alice, bobOld, callId } = await callBetweenAliceAndBob();

    // The app gave its connection up and has a new one, but its REGISTER over it is still to come.
    const count = (line: RegExp) => (readFileSync(stack.info.logs.kamailio, 'utf8').match(line) ?? []).length;
    const [opened, closed] = [/WebSocket opened by bob /g, /WebSocket closed from /g];
    const before = { opened: count(opened), closed: count(closed) };
    bobOld.close();
    const bobNew = app('bob');
    await waitFor(
      'bob’s old WebSocket closed and a new one open',
      () => Promise.resolve(count(opened) > before.opened && count(closed) > before.closed),
      10_000,
    );
    expect(await alice.bye(callId)).toBe(200);
    expect(byes(bobNew, callId)).toBe(1);
  }, 60_000);
});
