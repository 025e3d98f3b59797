import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientTls, PbxConnection } from '../../../electron/core/pbx/pbx-connection.js';
import { parseHtableDump } from '../../../pbx/stack-runner.js';
import { kamcmd } from '../../../pbx/daemons.js';
import type { PbxState } from '../../../protocol/index.js';
import { createTestHome, type ClientCert, type TestHome } from '../../helpers/pbx-certs.js';
import { openSipProbe } from '../../helpers/sip-probe.js';
import { openPbxClient } from '../../helpers/pbx-client.js';
import { sipRequest, sipStatus, startTestStack, type Stack } from '../../helpers/stack.js';

// Real Kamailio + rtpengine with real certificates; the core connection speaks raw SIP here, the
// browser test (bridged-transport.test.ts) runs SIP.js on top of the same connection.
let home: TestHome;
let stack: Stack;
let certs: Record<'alice' | 'bob' | 'expired' | 'erin' | 'foreign', ClientCert>;
const connections: PbxConnection[] = [];
const DOMAIN = 'localhost';

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [
      { id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] },
      { id: 'schmidt', name: 'Elektro Schmidt', numbers: ['+49 30 7654321'] },
    ],
    users: [
      { id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller'], certificates: [] },
      { id: 'bob', name: 'Bob', role: 'teleworker', tenants: ['schmidt'], certificates: [] },
      { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['mueller'], certificates: [] },
      { id: 'erin', name: 'Erin', role: 'teleworker', tenants: [], certificates: [] },
    ],
  });
  certs = {
    alice: home.issue('alice'),
    bob: home.issue('bob'),
    expired: home.issue('dave', { expired: true }),
    erin: home.issue('erin'),
    foreign: home.foreign('alice'),
  };
  stack = await startTestStack(home.home, { tenantRingMs: 3000 });
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

const udpOf = (port: number) => ({ transport: 'UDP' as const, via: `127.0.0.1:${port}` });

function tlsOf(cert: ClientCert): ClientTls {
  return { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem };
}

function open(tls: ClientTls | undefined) {
  const client = openPbxClient(() => stack.info.pbxWss, tls, home.home);
  connections.push(client.connection);
  return client;
}

/** Waits for `probe`; a timeout names what was awaited and, where given, what was seen instead. */
async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000, seen?: () => unknown): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${seen ? `; seen: ${JSON.stringify(seen())}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function settled(states: PbxState[]): Promise<PbxState> {
  return until('a connected or failed state', () => states.find((s) => s.state === 'connected' || s.state === 'failed'));
}

async function exchange(client: ReturnType<typeof open>, request: string): Promise<number> {
  const callId = /Call-ID: (\S+)/.exec(request)![1]!;
  const seen = client.messages.length;
  client.connection.send(request);
  const reply = await until('a final reply', () =>
    client.messages.slice(seen).find((m) => m.includes(callId) && (sipStatus(m) ?? 0) >= 200),
  );
  return sipStatus(reply)!;
}

describe('WSS to the reference PBX with client certificates', () => {
  it('accepts a valid certificate and registers its own identity (200 OK)', async () => {
    const alice = open(tlsOf(certs.alice));
    expect(await settled(alice.states)).toMatchObject({ state: 'connected', connections: 1 });
    expect(await exchange(alice, sipRequest({ method: 'REGISTER', user: 'alice', domain: DOMAIN }))).toBe(200);
    // A keep-alive OPTIONS to the proxy itself (no user part) is answered, not refused as incomplete.
    const keepAlive = sipRequest({ method: 'OPTIONS', user: 'alice', domain: DOMAIN }).replace(
      /^OPTIONS \S+/,
      `OPTIONS sip:${DOMAIN}`,
    );
    expect(await exchange(alice, keepAlive)).toBe(200);
  });

  it('answers 403 when the SIP identity differs from the certificate CN', async () => {
    const bob = open(tlsOf(certs.bob));
    expect((await settled(bob.states)).state).toBe('connected');
    expect(await exchange(bob, sipRequest({ method: 'REGISTER', user: 'alice', domain: DOMAIN }))).toBe(403);
    expect(await exchange(bob, sipRequest({ method: 'REGISTER', user: 'bob', toUser: 'alice', domain: DOMAIN }))).toBe(403);
    expect(await exchange(bob, sipRequest({ method: 'INVITE', user: 'alice', toUser: 'carl', domain: DOMAIN }))).toBe(403);
    expect(
      await exchange(
        bob,
        sipRequest({
          method: 'SUBSCRIBE',
          user: 'alice',
          toUser: 'carl',
          domain: DOMAIN,
          extra: ['Event: presence', 'Expires: 60'],
        }),
      ),
    ).toBe(403);
    expect(
      await exchange(
        bob,
        sipRequest({ method: 'PUBLISH', user: 'alice', domain: DOMAIN, extra: ['Event: presence', 'Expires: 60'] }),
      ),
    ).toBe(403);
    expect(await exchange(bob, sipRequest({ method: 'MESSAGE', user: 'alice', toUser: 'carl', domain: DOMAIN }))).toBe(403);
    // Its own identity is fine.
    expect(await exchange(bob, sipRequest({ method: 'REGISTER', user: 'bob', domain: DOMAIN }))).toBe(200);
  });

  it.each([
    ['no certificate', () => ({ ca: home.caPem }) as unknown as ClientTls, 'no_certificate'],
    ['a certificate from another CA', () => tlsOf(certs.foreign), 'unknown_ca'],
    ['an expired certificate', () => tlsOf(certs.expired), 'certificate_expired'],
  ])('refuses %s with its own error code and stops retrying', async (_name, tls, code) => {
    const client = open(tls());
    const state = await settled(client.states);
    expect(state).toMatchObject({ state: 'failed', error: { code } });
    expect(client.states.some((s) => s.state === 'connected')).toBe(false);
  });

  it('lets a user watch only people who share a tenant: 403 for another tenant, over UDP or for foreign PUBLISH', async () => {
    const alice = open(tlsOf(certs.alice));
    const bob = open(tlsOf(certs.bob));
    expect((await settled(alice.states)).state).toBe('connected');
    expect((await settled(bob.states)).state).toBe('connected');
    const subscribe = (user: string, toUser: string, event: string) =>
      sipRequest({ method: 'SUBSCRIBE', user, toUser, domain: DOMAIN, extra: [`Event: ${event}`, 'Expires: 60'] });
    const accepted = (code: number) => code === 200 || code === 202;
    // Same tenant (mueller): alice may watch carl's presence and calls, and herself.
    expect(accepted(await exchange(alice, subscribe('alice', 'carl', 'presence')))).toBe(true);
    expect(accepted(await exchange(alice, subscribe('alice', 'carl', 'dialog')))).toBe(true);
    expect(accepted(await exchange(alice, subscribe('alice', 'alice', 'presence')))).toBe(true);
    // Bob serves schmidt only: alice's presence and calls are not his business.
    expect(await exchange(bob, subscribe('bob', 'alice', 'presence'))).toBe(403);
    expect(await exchange(bob, subscribe('bob', 'alice', 'dialog'))).toBe(403);
    expect(await exchange(bob, subscribe('bob', 'nobody', 'presence'))).toBe(403);
    expect(accepted(await exchange(bob, subscribe('bob', 'bob', 'presence')))).toBe(true);
    // Publishing someone else's status is refused even with one's own identity in From.
    expect(
      await exchange(
        alice,
        sipRequest({
          method: 'PUBLISH',
          user: 'alice',
          requestUser: 'carl',
          domain: DOMAIN,
          extra: ['Event: presence', 'Expires: 60'],
        }),
      ),
    ).toBe(403);
    // UDP carries no certificate: nobody may watch or publish through it.
    const probe = await openSipProbe(stack.info.ports.udp);
    try {
      expect(
        await probe.send(
          sipRequest({
            ...udpOf(probe.port),
            method: 'SUBSCRIBE',
            user: 'alice',
            toUser: 'carl',
            domain: DOMAIN,
            extra: ['Event: presence', 'Expires: 60'],
          }),
        ),
      ).toContain(403);
      expect(
        await probe.send(
          sipRequest({
            ...udpOf(probe.port),
            method: 'PUBLISH',
            user: 'carl',
            domain: DOMAIN,
            extra: ['Event: presence', 'Expires: 60'],
          }),
        ),
      ).toContain(403);
    } finally {
      await probe.close();
    }
  });

  it('reports no_identity without touching the network when no identity is set up', async () => {
    const client = open(undefined);
    expect(await settled(client.states)).toMatchObject({ state: 'failed', error: { code: 'no_identity' } });
  });

  it('opens one socket however often connect is called', async () => {
    const before = [...parseHtableDump(await kamcmd(stack.info.ctlSocket, ['htable.dump', 'wsid'])).values()].filter(
      (cn) => cn === 'alice',
    ).length;
    const client = open(tlsOf(certs.alice));
    client.connection.connect();
    client.connection.connect();
    expect((await settled(client.states)).state).toBe('connected');
    client.connection.connect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = [...parseHtableDump(await kamcmd(stack.info.ctlSocket, ['htable.dump', 'wsid'])).values()].filter(
      (cn) => cn === 'alice',
    ).length;
    expect(after - before).toBe(1);
    expect(client.states.filter((s) => s.state === 'connected')).toHaveLength(1);
    client.connection.disconnect();
  });

  it("forks a call to a tenant's number to its teleworker, keeping the dialled number visible", async () => {
    const alice = open(tlsOf(certs.alice));
    expect((await settled(alice.states)).state).toBe('connected');
    expect(await exchange(alice, sipRequest({ method: 'REGISTER', user: 'alice', domain: DOMAIN }))).toBe(200);
    const outside = createSocket('udp4');
    await new Promise<void>((resolve) => outside.bind(0, '127.0.0.1', () => resolve()));
    const replies: string[] = [];
    outside.on('message', (m) => replies.push(m.toString()));
    try {
      const { port } = outside.address();
      // National form, as a German trunk may deliver it.
      const invite = sipRequest({
        method: 'INVITE',
        user: 'caller',
        toUser: '0301234567',
        domain: `127.0.0.1:${stack.info.ports.udp}`,
        transport: 'UDP',
        via: `127.0.0.1:${port}`,
      });
      const callId = /Call-ID: (\S+)/.exec(invite)![1]!;
      outside.send(invite, stack.info.ports.udp, '127.0.0.1');
      const delivered = await until('the INVITE at alice', () =>
        alice.messages.find((m) => m.startsWith('INVITE') && m.includes(callId)),
      );
      expect(delivered).toMatch(/^To: <sip:0301234567@/m);
      expect(delivered).toMatch(/^P-Called-Party-ID: <sip:0301234567@localhost>/m);
      // Alice is busy: the caller hears 486 (Carl, the craftsman, is not registered).
      const headers = delivered.split('\r\n').filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line));
      alice.connection.send(
        [
          'SIP/2.0 486 Busy Here',
          ...headers.map((h) => (h.startsWith('To:') ? `${h};tag=busy1` : h)),
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      const final = await until('the final reply at the caller', () => replies.find((r) => (sipStatus(r) ?? 0) >= 300));
      expect(sipStatus(final)).toBe(486);
    } finally {
      outside.close();
    }
  });

  it('answers 404 for an unknown number from outside and 403 for relaying elsewhere', async () => {
    const outside = createSocket('udp4');
    await new Promise<void>((resolve) => outside.bind(0, '127.0.0.1', () => resolve()));
    const replies: string[] = [];
    outside.on('message', (m) => replies.push(m.toString()));
    try {
      const via = `127.0.0.1:${outside.address().port}`;
      outside.send(
        sipRequest({
          method: 'INVITE',
          user: 'caller',
          toUser: '+4989000000',
          domain: `127.0.0.1:${stack.info.ports.udp}`,
          transport: 'UDP',
          via,
        }),
        stack.info.ports.udp,
        '127.0.0.1',
      );
      outside.send(
        sipRequest({ method: 'INVITE', user: 'caller', toUser: 'someone', domain: 'example.org', transport: 'UDP', via }),
        stack.info.ports.udp,
        '127.0.0.1',
      );
      await until('two final replies', () => replies.filter((r) => (sipStatus(r) ?? 0) >= 300).length >= 2 || undefined);
      expect(
        replies
          .map(sipStatus)
          .filter((s) => (s ?? 0) >= 300)
          .sort(),
      ).toEqual([403, 404]);
    } finally {
      outside.close();
    }
  });

  it('closes an open connection after revocation and refuses the certificate from then on', async () => {
    const erin = open(tlsOf(certs.erin));
    expect((await settled(erin.states)).state).toBe('connected');
    expect(await exchange(erin, sipRequest({ method: 'REGISTER', user: 'erin', domain: DOMAIN }))).toBe(200);
    // What `npm run admin -- user revoke erin` does: the directory entry and a new CRL.
    const directory = JSON.parse((await import('node:fs')).readFileSync(home.layout.directory, 'utf8')) as Parameters<
      TestHome['writeDirectory']
    >[0];
    directory.users
      .find((u) => u.id === 'erin')!
      .certificates.push({
        serial: 'erin-1',
        notBefore: new Date().toISOString(),
        notAfter: new Date().toISOString(),
        revokedAt: new Date().toISOString(),
      });
    home.writeDirectory(directory);
    home.revoke(certs.erin);
    const lost = await until(
      'the open connection to be closed',
      () => erin.states.find((s) => s.error?.code === 'connection_lost'),
      15_000,
    );
    expect(lost.state).toBe('connecting');
    expect(await until('the reconnect to be refused', () => erin.states.find((s) => s.state === 'failed'), 15_000)).toMatchObject(
      { error: { code: 'certificate_revoked' } },
    );
    const again = open(tlsOf(certs.erin));
    expect(await settled(again.states)).toMatchObject({ state: 'failed', error: { code: 'certificate_revoked' } });
  });

  it('reconnects with backoff after Kamailio is killed and started again', async () => {
    const alice = open(tlsOf(certs.alice));
    expect((await settled(alice.states)).state).toBe('connected');
    await stack.killKamailio('SIGKILL');
    await until('the loss to be noticed', () => alice.states.find((s) => s.error?.code === 'connection_lost'));
    await until('a refused retry', () => alice.states.find((s) => s.error?.code === 'refused'));
    const retries = alice.states.filter((s) => s.retryInMs !== undefined).map((s) => s.retryInMs!);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    await stack.restartKamailio();
    const back = await until(
      'the connection to come back',
      () => alice.states.find((s) => s.state === 'connected' && s.connections === 2),
      15_000,
      () => alice.states.slice(-8),
    );
    expect(back.attempt).toBe(0);
    // Registrations lived in Kamailio's memory: registering again works on the new connection.
    expect(await exchange(alice, sipRequest({ method: 'REGISTER', user: 'alice', domain: DOMAIN }))).toBe(200);
  });
});
