import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxConnection } from '../../../electron/core/pbx/pbx-connection.js';
import { createPkiHome, type PkiHome, type PkiUser } from '../../helpers/pki.js';
import { openPbxClient } from '../../helpers/pbx-client.js';
import { sipRequest, sipStatus, startTestStack, type Stack } from '../../helpers/stack.js';

// The real admin CLI's CA, certificates, CRL and `user revoke` against the real Kamailio: the PKI and
// the PBX agree on formats (CRL, server certificate names, PKCS#12).
let pki: PkiHome;
let stack: Stack;
const connections: PbxConnection[] = [];

beforeAll(async () => {
  pki = await createPkiHome({
    users: [
      { id: 'anna', name: 'Anna Schmidt', tenants: ['tischlerei'], role: 'teleworker' },
      { id: 'olga', name: 'Olga Alt', tenants: ['tischlerei'], role: 'teleworker', days: 0 },
    ],
  });
  stack = await startTestStack(pki.home);
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await stack?.stop();
  pki?.cleanup();
});

function open(user: PkiUser) {
  const client = openPbxClient(() => stack.info.pbxWss, { pfx: user.pfx, passphrase: user.passphrase, ca: pki.caPem }, pki.home);
  connections.push(client.connection);
  return client;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('certificates from the admin CLI at the reference PBX', () => {
  it('registers with a bundle certificate, and `user revoke` closes the open connection and refuses it', async () => {
    const anna = open(pki.users.anna!);
    await until('connected', () => anna.states.find((s) => s.state === 'connected'));
    const register = sipRequest({ method: 'REGISTER', user: 'anna', domain: 'localhost' });
    anna.connection.send(register);
    const reply = await until('REGISTER reply', () => anna.messages.find((m) => (sipStatus(m) ?? 0) >= 200));
    expect(sipStatus(reply)).toBe(200);

    await pki.revoke('anna');
    await until('the open connection to be closed', () => anna.states.find((s) => s.error?.code === 'connection_lost'), 15_000);
    const refused = await until('the reconnect to be refused', () => anna.states.find((s) => s.state === 'failed'), 15_000);
    expect(refused.error?.code).toBe('certificate_revoked');
  });

  it('refuses an expired bundle certificate', async () => {
    const olga = open(pki.users.olga!);
    const state = await until('a final state', () => olga.states.find((s) => s.state === 'failed' || s.state === 'connected'));
    expect(state).toMatchObject({ state: 'failed', error: { code: 'certificate_expired' } });
  });
});
