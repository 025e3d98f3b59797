import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHome, type ClientCert, type TestHome } from '../../helpers/pbx-certs.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';

// Apps that start together at 8:00 open their WSS connections at once. Debian 12's Kamailio 5.6.3
// on OpenSSL 3 corrupted its shared memory under such a burst (openssl-fork-guard.c): 50 handshakes
// at once crashed it in the first or second round, two at a time within about a hundred.
const USERS = 10;
const AT_ONCE = 50;
const ROUNDS = 4;
const CORRUPTION = /BUG:|freeing already freed|overwritten|exited by a signal/;

let home: TestHome;
let stack: Stack;
let certs: ClientCert[];

beforeAll(async () => {
  home = createTestHome();
  const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
  home.writeDirectory({
    version: 1,
    tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] }],
    users: users.map((id) => ({ id, name: id, role: 'teleworker', tenants: ['mueller'], certificates: [] })),
  });
  certs = users.map((user) => home.issue(user));
  stack = await startTestStack(home.home);
});

afterAll(async () => {
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

/** A certified TLS handshake and WebSocket upgrade; resolves with the first reply line or the error. */
function upgrade(cert: ClientCert): Promise<string> {
  const url = new URL(stack.info.pbxWss);
  return new Promise((resolve) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      pfx: cert.pfx,
      passphrase: cert.passphrase,
      ca: home.caPem,
      servername: 'localhost',
    });
    const timer = setTimeout(() => finish('timeout'), 15_000);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('secureConnect', () =>
      socket.write(
        'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n',
      ),
    );
    socket.once('data', (data: Buffer) => finish(data.toString().split('\r\n')[0] ?? ''));
    socket.once('error', (error: Error) => finish(`error: ${error.message}`));
  });
}

describe('a burst of certified WSS handshakes', () => {
  it('upgrades every connection and leaves Kamailio’s shared memory intact', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const outcomes = await Promise.all(Array.from({ length: AT_ONCE }, (_, i) => upgrade(certs[i % USERS]!)));
      const failed = outcomes.filter((line) => !line.startsWith('HTTP/1.1 101'));
      const log = readFileSync(stack.info.logs.kamailio, 'utf8');
      expect(
        log.split('\n').filter((line) => CORRUPTION.test(line)),
        `round ${round}`,
      ).toEqual([]);
      expect(failed, `round ${round}`).toEqual([]);
    }
    expect(() => process.kill(stack.info.pids.kamailio, 0)).not.toThrow();
  });
});
