import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientTls, PbxConnection } from '../../../electron/core/pbx/pbx-connection.js';
import { createTestHome, type ClientCert, type TestHome } from '../../helpers/pbx-certs.js';
import { openPbxClient } from '../../helpers/pbx-client.js';
import { sipRequest, sipStatus, startTestStack, type Stack } from '../../helpers/stack.js';

// The certificate <-> identity binding of the real Kamailio config (route WS_IDENTITY): whatever a
// certified connection writes into From or To, it acts as its certificate's CN or not at all.
let home: TestHome;
let stack: Stack;
let certs: Record<'alice' | 'bob', ClientCert>;
const connections: PbxConnection[] = [];
const DOMAIN = 'localhost';
const MISMATCH = 'Forbidden - SIP identity does not match the certificate';

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] }],
    users: [
      { id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller'], certificates: [] },
      { id: 'bob', name: 'Bob', role: 'teleworker', tenants: ['mueller'], certificates: [] },
      { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['mueller'], certificates: [] },
    ],
  });
  certs = { alice: home.issue('alice'), bob: home.issue('bob') };
  stack = await startTestStack(home.home);
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

function open(cert: ClientCert) {
  const tls: ClientTls = { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem };
  const client = openPbxClient(() => stack.info.pbxWss, tls, home.home);
  connections.push(client.connection);
  return client;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends a request and returns the first line of its final reply, e.g. "SIP/2.0 403 Forbidden - …". */
async function exchange(client: ReturnType<typeof open>, request: string): Promise<string> {
  const callId = /Call-ID: (\S+)/.exec(request)![1]!;
  const seen = client.messages.length;
  client.connection.send(request);
  const reply = await until('a final reply', () =>
    client.messages.slice(seen).find((m) => m.includes(callId) && (sipStatus(m) ?? 0) >= 200),
  );
  return reply.split('\r\n')[0]!;
}

async function connected(client: ReturnType<typeof open>): Promise<void> {
  const state = await until('a connected or failed state', () =>
    client.states.find((s) => s.state === 'connected' || s.state === 'failed'),
  );
  expect(state.state).toBe('connected');
}

describe('a certified connection acts only as its certificate’s user', () => {
  it('refuses every initial request it sends in another user’s name, also while that user is online', async () => {
    const alice = open(certs.alice);
    const bob = open(certs.bob);
    await connected(alice);
    await connected(bob);
    expect(await exchange(alice, sipRequest({ method: 'REGISTER', user: 'alice', domain: DOMAIN }))).toBe('SIP/2.0 200 OK');

    const asAlice = (method: string, extra: string[] = []) =>
      sipRequest({ method, user: 'alice', toUser: method === 'PUBLISH' ? 'alice' : 'carl', domain: DOMAIN, extra });
    const refusals = {
      REGISTER: await exchange(bob, asAlice('REGISTER')),
      INVITE: await exchange(bob, asAlice('INVITE')),
      SUBSCRIBE: await exchange(bob, asAlice('SUBSCRIBE', ['Event: presence', 'Expires: 60'])),
      PUBLISH: await exchange(bob, asAlice('PUBLISH', ['Event: presence', 'Expires: 60'])),
      MESSAGE: await exchange(bob, asAlice('MESSAGE')),
      REFER: await exchange(
        bob,
        asAlice('REFER', ['Refer-To: <sip:+4930999999@localhost>', 'Referred-By: <sip:alice@localhost>']),
      ),
    };
    for (const [method, line] of Object.entries(refusals)) expect(line, method).toBe(`SIP/2.0 403 ${MISMATCH}`);
  });

  it('refuses a REGISTER that binds another user’s AoR under its own From', async () => {
    const bob = open(certs.bob);
    await connected(bob);
    expect(await exchange(bob, sipRequest({ method: 'REGISTER', user: 'bob', toUser: 'alice', domain: DOMAIN }))).toBe(
      `SIP/2.0 403 ${MISMATCH}`,
    );
    // The same request for its own AoR goes through: the refusal above is the identity check's.
    expect(await exchange(bob, sipRequest({ method: 'REGISTER', user: 'bob', domain: DOMAIN }))).toBe('SIP/2.0 200 OK');
  });
});
