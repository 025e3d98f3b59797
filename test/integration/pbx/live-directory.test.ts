import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxConnection } from '../../../electron/core/pbx/pbx-connection.js';
import type { Directory } from '../../../server/home/directory.js';
import { createTestHome, type ClientCert, type TestHome } from '../../helpers/pbx-certs.js';
import { openPbxClient } from '../../helpers/pbx-client.js';
import { sipRequest, sipStatus, startTestStack, type Stack } from '../../helpers/stack.js';

// The running stack takes directory.json changes into Kamailio (htable reload) without a restart:
// same Kamailio process, registrations and an established call survive, a new user works at once,
// a removed one is refused. Real Kamailio + rtpengine, raw SIP over the apps' WSS connection.
let home: TestHome;
let stack: Stack;
let certs: Record<'alice' | 'nina' | 'carl' | 'lena', ClientCert>;
let kamailioPid: number;
const connections: PbxConnection[] = [];
const sockets: Socket[] = [];
const DOMAIN = 'localhost';

const mueller = { id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] };
const alice = { id: 'alice', name: 'Alice', role: 'teleworker' as const, tenants: ['mueller'], certificates: [] };

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({ version: 1, tenants: [mueller], users: [alice] });
  certs = { alice: home.issue('alice'), nina: home.issue('nina'), carl: home.issue('carl'), lena: home.issue('lena') };
  stack = await startTestStack(home.home, { tenantRingMs: 3000 });
  kamailioPid = stack.info.pids.kamailio;
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  for (const socket of sockets) socket.close();
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

function open(cert: ClientCert) {
  const client = openPbxClient(
    () => stack.info.pbxWss,
    { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem },
    home.home,
  );
  connections.push(client.connection);
  return client;
}
type Client = ReturnType<typeof open>;

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function connected(client: Client, after = 0): Promise<void> {
  await until('connected', () => client.states.slice(after).some((s) => s.state === 'connected'));
}

async function exchange(client: Client, request: string): Promise<number> {
  const callId = /Call-ID: (\S+)/.exec(request)![1]!;
  const seen = client.messages.length;
  client.connection.send(request);
  const reply = await until('a final reply', () =>
    client.messages.slice(seen).find((m) => m.includes(callId) && (sipStatus(m) ?? 0) >= 200),
  );
  return sipStatus(reply)!;
}

const register = (user: string) => sipRequest({ method: 'REGISTER', user, domain: DOMAIN });

function headers(message: string, name: string): string[] {
  return message
    .split('\r\n')
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

/** The app's answer to a request it received: Via, Record-Route, From, To (tagged), Call-ID, CSeq copied. */
function answer(client: Client, request: string, status: string, tag: string): void {
  const lines = request.split('\r\n').filter((line) => /^(Via|Record-Route|From|Call-ID|CSeq):/i.test(line));
  const to = headers(request, 'To')[0]!;
  client.connection.send(
    [
      `SIP/2.0 ${status}`,
      ...lines,
      `To: ${to.includes(';tag=') ? to : `${to};tag=${tag}`}`,
      `Contact: <sip:${tag}@abcdef.invalid;transport=ws>`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** An outside caller on UDP (a trunk): sends requests to the PBX, collects what comes back. */
async function outsideCaller() {
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const received: string[] = [];
  socket.on('message', (m) => received.push(m.toString()));
  const via = `127.0.0.1:${socket.address().port}`;
  const send = (message: string) => socket.send(message, stack.info.ports.udp, '127.0.0.1');
  const invite = (toUser: string) => {
    const request = sipRequest({
      method: 'INVITE',
      user: 'caller',
      toUser,
      domain: `127.0.0.1:${stack.info.ports.udp}`,
      transport: 'UDP',
      via,
    });
    send(request);
    return { request, callId: /Call-ID: (\S+)/.exec(request)![1]! };
  };
  const finalFor = (callId: string, method = 'INVITE') =>
    until(`the final reply to ${method} ${callId}`, () =>
      received.find((r) => r.includes(callId) && (sipStatus(r) ?? 0) >= 200 && new RegExp(`^CSeq: \\d+ ${method}`, 'm').test(r)),
    );
  /** ACK or BYE inside the dialog a 200 OK set up: its Contact as target, its Record-Route reversed as route set. */
  const inDialog = (method: 'ACK' | 'BYE', invite: string, ok: string, cseq: number) => {
    const target = /<([^>]+)>/.exec(headers(ok, 'Contact')[0]!)![1]!;
    const routes = headers(ok, 'Record-Route')
      .flatMap((h) => h.split(/,(?=\s*<)/))
      .reverse();
    send(
      [
        `${method} ${target} SIP/2.0`,
        `Via: SIP/2.0/UDP ${via};branch=z9hG4bK${Math.random().toString(36).slice(2, 12)};rport`,
        'Max-Forwards: 70',
        ...routes.map((route) => `Route: ${route.trim()}`),
        `From: ${headers(invite, 'From')[0]}`,
        `To: ${headers(ok, 'To')[0]}`,
        `Call-ID: ${headers(ok, 'Call-ID')[0]}`,
        `CSeq: ${cseq} ${method}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  };
  return { invite, finalFor, inDialog };
}

function writeDirectory(change: (directory: Directory) => void): void {
  const directory = JSON.parse(readFileSync(home.layout.directory, 'utf8')) as Directory;
  change(directory);
  home.writeDirectory(directory);
}

/** REGISTER until the PBX says `status` (the stack polls directory.json every 0.5 s). */
async function registerUntil(client: Client, user: string, status: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = 0;
  while (Date.now() < deadline) {
    last = await exchange(client, register(user));
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`REGISTER for ${user} still answered ${last}, not ${status}`);
}

function kamailioAlive(): boolean {
  try {
    process.kill(kamailioPid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('directory changes reach the running PBX without a restart', () => {
  let nina: Client;
  let carl: Client;

  it('a user added while Kamailio runs registers, is called by name and by number and may watch colleagues; an open call survives', async () => {
    const aliceApp = open(certs.alice);
    await connected(aliceApp);
    expect(await exchange(aliceApp, register('alice'))).toBe(200);
    // Nina's certificate is valid, but she is not in the directory yet: no registration.
    nina = open(certs.nina);
    await connected(nina);
    expect(await exchange(nina, register('nina'))).toBe(403);

    // A call to alice by name, established before the change.
    const trunk = await outsideCaller();
    const call = trunk.invite('alice');
    const atAlice = await until('the INVITE at alice', () =>
      aliceApp.messages.find((m) => m.startsWith('INVITE') && m.includes(call.callId)),
    );
    answer(aliceApp, atAlice, '200 OK', 'alice1');
    const ok = await trunk.finalFor(call.callId);
    expect(sipStatus(ok)).toBe(200);
    trunk.inDialog('ACK', call.request, ok, 1);

    writeDirectory((directory) => {
      directory.tenants.push({ id: 'schmidt', name: 'Elektro Schmidt', numbers: ['+49 30 7654321'] });
      directory.users.push(
        { id: 'nina', name: 'Nina', role: 'teleworker', tenants: ['mueller', 'schmidt'], certificates: [] },
        { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['schmidt'], certificates: [] },
      );
    });
    await registerUntil(nina, 'nina', 200);
    carl = open(certs.carl);
    await connected(carl);
    expect(await exchange(carl, register('carl'))).toBe(200);

    // The new tenant's number (national form) rings nina, with the dialled number kept.
    const toSchmidt = trunk.invite('0307654321');
    const atNina = await until('the schmidt call at nina', () =>
      nina.messages.find((m) => m.startsWith('INVITE') && m.includes(toSchmidt.callId)),
    );
    expect(atNina).toMatch(/^P-Called-Party-ID: <sip:0307654321@localhost>/m);
    answer(nina, atNina, '486 Busy Here', 'nina1');
    // The teleworker declined: the new craftsman rings next.
    const atCarl = await until('the schmidt call at carl', () =>
      carl.messages.find((m) => m.startsWith('INVITE') && m.includes(toSchmidt.callId)),
    );
    answer(carl, atCarl, '486 Busy Here', 'carl1');
    expect(sipStatus(await trunk.finalFor(toSchmidt.callId))).toBe(486);

    // mueller's number now forks to both teleworkers: alice (still registered) and nina.
    const toMueller = trunk.invite('+49301234567');
    const forked = await until('the mueller call at alice and nina', () => {
      const a = aliceApp.messages.find((m) => m.startsWith('INVITE') && m.includes(toMueller.callId));
      const n = nina.messages.find((m) => m.startsWith('INVITE') && m.includes(toMueller.callId));
      return a && n ? ([a, n] as const) : undefined;
    });
    answer(aliceApp, forked[0], '486 Busy Here', 'alice2');
    answer(nina, forked[1], '486 Busy Here', 'nina2');
    expect(sipStatus(await trunk.finalFor(toMueller.callId))).toBe(486);

    // Nina by name.
    const toNina = trunk.invite('nina');
    const byName = await until('the call by name at nina', () =>
      nina.messages.find((m) => m.startsWith('INVITE') && m.includes(toNina.callId)),
    );
    answer(nina, byName, '486 Busy Here', 'nina3');
    expect(sipStatus(await trunk.finalFor(toNina.callId))).toBe(486);

    // She shares mueller with alice: she may watch her; someone outside the directory she may not.
    const subscribe = (toUser: string) =>
      sipRequest({ method: 'SUBSCRIBE', user: 'nina', toUser, domain: DOMAIN, extra: ['Event: presence', 'Expires: 60'] });
    expect([200, 202]).toContain(await exchange(nina, subscribe('alice')));
    expect(await exchange(nina, subscribe('zoe'))).toBe(403);

    // The call from before the change still ends properly, through the same Kamailio.
    trunk.inDialog('BYE', call.request, ok, 2);
    const bye = await until('the BYE at alice', () =>
      aliceApp.messages.find((m) => m.startsWith('BYE') && m.includes(call.callId)),
    );
    answer(aliceApp, bye, '200 OK', 'alice1');
    expect(sipStatus(await trunk.finalFor(call.callId, 'BYE'))).toBe(200);
    expect(aliceApp.states.some((s) => s.error?.code === 'connection_lost')).toBe(false);
    expect(stack.info.pids.kamailio).toBe(kamailioPid);
    expect(kamailioAlive()).toBe(true);
  });

  it('a user removed from the directory loses connection and registration and cannot register again', async () => {
    const before = nina.states.length;
    writeDirectory((directory) => {
      directory.users = directory.users.filter((user) => user.id !== 'nina');
    });
    await until(
      "nina's open connection to be closed",
      () => nina.states.slice(before).some((s) => s.error?.code === 'connection_lost'),
      15_000,
    );
    // Her certificate is still valid, so the app reconnects; the PBX no longer registers her.
    await connected(nina, before);
    expect(await exchange(nina, register('nina'))).toBe(403);

    const trunk = await outsideCaller();
    // Her registration went with her: a call by name finds nobody.
    const toNina = trunk.invite('nina');
    expect(sipStatus(await trunk.finalFor(toNina.callId))).toBe(404);
    const toSchmidt = trunk.invite('+49307654321');
    // Her former firm has no teleworker left: its craftsman rings at once, she does not.
    const atCarl = await until('the schmidt call at carl', () =>
      carl.messages.find((m) => m.startsWith('INVITE') && m.includes(toSchmidt.callId)),
    );
    answer(carl, atCarl, '486 Busy Here', 'carl2');
    expect(sipStatus(await trunk.finalFor(toSchmidt.callId))).toBe(486);
    expect(nina.messages.some((m) => m.includes(toSchmidt.callId))).toBe(false);
    expect(stack.info.pids.kamailio).toBe(kamailioPid);
    expect(kamailioAlive()).toBe(true);
  });

  it('an office lead given no tenant registers and rings with the teleworkers on every firm', async () => {
    writeDirectory((directory) => {
      directory.users.push({ id: 'lena', name: 'Lena', role: 'lead', tenants: [], certificates: [] });
    });
    const lena = open(certs.lena);
    await connected(lena);
    await registerUntil(lena, 'lena', 200);
    const aliceApp = open(certs.alice);
    await connected(aliceApp);
    expect(await exchange(aliceApp, register('alice'))).toBe(200);

    const trunk = await outsideCaller();
    // schmidt has no teleworker since nina left: the lead rings first, the craftsman after her.
    const toSchmidt = trunk.invite('+49307654321');
    const atLena = await until('the schmidt call at lena', () =>
      lena.messages.find((m) => m.startsWith('INVITE') && m.includes(toSchmidt.callId)),
    );
    expect(carl.messages.some((m) => m.startsWith('INVITE') && m.includes(toSchmidt.callId))).toBe(false);
    answer(lena, atLena, '486 Busy Here', 'lena1');
    const atCarl = await until('the schmidt call at carl', () =>
      carl.messages.find((m) => m.startsWith('INVITE') && m.includes(toSchmidt.callId)),
    );
    answer(carl, atCarl, '486 Busy Here', 'carl3');
    expect(sipStatus(await trunk.finalFor(toSchmidt.callId))).toBe(486);

    // mueller's number forks to its teleworker and the lead together, well before the craftsmen's turn (3 s).
    const toMueller = trunk.invite('+49301234567');
    const forked = await until(
      'the mueller call at alice and lena',
      () => {
        const a = aliceApp.messages.find((m) => m.startsWith('INVITE') && m.includes(toMueller.callId));
        const l = lena.messages.find((m) => m.startsWith('INVITE') && m.includes(toMueller.callId));
        return a && l ? ([a, l] as const) : undefined;
      },
      2500,
    );
    answer(aliceApp, forked[0], '486 Busy Here', 'alice3');
    answer(lena, forked[1], '486 Busy Here', 'lena2');
    expect(sipStatus(await trunk.finalFor(toMueller.callId))).toBe(486);

    // She shares every firm: she may watch the craftsman of schmidt.
    const subscribe = sipRequest({
      method: 'SUBSCRIBE',
      user: 'lena',
      toUser: 'carl',
      domain: DOMAIN,
      extra: ['Event: presence', 'Expires: 60'],
    });
    expect([200, 202]).toContain(await exchange(lena, subscribe));
  });
});
