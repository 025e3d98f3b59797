import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, createSecureContext, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../../../../../protocol/errors.js';
import { MemorySecretStore } from '../../../../../electron/core/identity/secret-store.js';
import { caFingerprint } from '../../../../../electron/core/identity/open-bundle.js';
import { createPkiHome, type PkiHome } from '../../../../helpers/pki.js';
import { identityFixture } from '../../../../helpers/identity-fixtures.js';

let pki: PkiHome;
beforeAll(async () => {
  pki = await createPkiHome();
}, 60_000);
afterAll(() => pki.cleanup());

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HostError);
  return (error as HostError).code;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('identity import', () => {
  it('imports a valid bundle, stores it encrypted, and hands out working TLS options', async () => {
    const { service, store, dir, make } = identityFixture();
    const anna = pki.users.anna!;
    const status = await service.import(anna.bundle, anna.passphrase);
    expect(status).toMatchObject({
      state: 'active',
      identity: { user: 'anna', name: 'Anna Schmidt', role: 'teleworker', expiresSoon: false },
    });
    if (status.state !== 'active') throw new Error('not active');
    expect(status.identity.tenants.map((t) => t.id)).toEqual(['tischlerei', 'sanitaer']);
    expect(store.size).toBe(1);

    for (const file of filesUnder(dir)) {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(anna.passphrase);
      expect(text).not.toContain(anna.payload.pkcs12.slice(0, 64));
      expect(text).not.toContain('PRIVATE KEY');
    }

    const tls = service.tlsOptions();
    expect(tls?.passphrase).toBe(anna.passphrase);
    expect(tls?.pfx.equals(anna.pfx)).toBe(true);
    expect(tls?.ca).toBe(pki.caPem);

    // A second instance on the same profile reads it back through the key in the store.
    const again = make();
    expect((await again.status()).state).toBe('active');
    expect(again.tlsOptions()?.pfx.equals(anna.pfx)).toBe(true);
    expect(again.endpoints()).toEqual({ pbxUrl: anna.payload.pbxUrl, serverUrl: anna.payload.serverUrl });
  });

  it('authenticates to a TLS server that requires a client certificate from the CA', async () => {
    const { service } = identityFixture();
    await service.import(pki.users.max!.bundle, pki.users.max!.passphrase);
    const server = createServer({
      key: readFileSync(pki.layout.serverKey),
      cert: readFileSync(pki.layout.serverCert),
      ca: pki.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peer = new Promise<string>((resolve) =>
      server.on('secureConnection', (socket: TLSSocket) => {
        resolve(String(socket.getPeerCertificate().subject.CN));
        socket.end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...service.tlsOptions()! });
    socket.on('error', () => undefined);
    expect(await peer).toBe('max');
    socket.destroy();
    server.close();
  });

  it('refuses a wrong passphrase and keeps nothing', async () => {
    const { service, store } = identityFixture();
    expect(await refusal(service.import(pki.users.anna!.bundle, 'not-the-passphrase'))).toBe('wrong_passphrase');
    expect((await service.status()).state).toBe('none');
    expect(store.size).toBe(0);
  });

  it('detects a changed payload, a changed signature, truncation and garbage', async () => {
    const { service } = identityFixture();
    const anna = pki.users.anna!;
    const bundle = JSON.parse(anna.bundle) as { payload: string; signature: string };
    const payload = JSON.parse(Buffer.from(bundle.payload, 'base64').toString('utf8')) as Record<string, unknown>;
    const renamed = { ...bundle, payload: Buffer.from(JSON.stringify({ ...payload, user: 'max' })).toString('base64') };
    expect(await refusal(service.import(JSON.stringify(renamed), anna.passphrase))).toBe('bundle_tampered');
    const sig = Buffer.from(bundle.signature, 'base64');
    sig[10] = sig[10]! ^ 0xff;
    const resigned = { ...bundle, signature: sig.toString('base64') };
    expect(await refusal(service.import(JSON.stringify(resigned), anna.passphrase))).toBe('bundle_tampered');
    for (const cut of [10, anna.bundle.length / 2, anna.bundle.length - 5]) {
      expect(await refusal(service.import(anna.bundle.slice(0, Math.floor(cut)), anna.passphrase))).toBe('bundle_invalid');
    }
    const garbage = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    expect(await refusal(service.import(garbage, anna.passphrase))).toBe('bundle_invalid');
    expect(await refusal(service.import('{"format":"something-else"}', anna.passphrase))).toBe('bundle_invalid');
    expect((await service.status()).state).toBe('none');
  });

  it('refuses an expired certificate and flags one that expires within 30 days', async () => {
    const expired = await pki.addUser({ id: 'old', name: 'Olaf Alt', tenants: ['sanitaer'], days: 0 });
    const soon = await pki.addUser({ id: 'soon', name: 'Sonja Bald', tenants: ['sanitaer'], days: 10 });
    const { service } = identityFixture();
    expect(await refusal(service.import(expired.bundle, expired.passphrase))).toBe('certificate_expired');
    const status = await service.import(soon.bundle, soon.passphrase);
    expect(status).toMatchObject({ state: 'active', identity: { user: 'soon', expiresSoon: true } });

    // Later, the stored certificate runs out: status says so and no TLS options are handed out.
    let clock = Date.now();
    const aging = identityFixture({ now: () => new Date(clock) });
    await aging.service.import(soon.bundle, soon.passphrase);
    expect(aging.service.tlsOptions()).toBeDefined();
    clock += 11 * 86_400_000;
    expect(await aging.service.status()).toMatchObject({ state: 'expired', identity: { user: 'soon' } });
    expect(aging.service.tlsOptions()).toBeUndefined();
    expect(aging.make().tlsOptions()).toBeUndefined();
  });

  it('refuses a certificate from another CA and a CA this installation does not pin', async () => {
    const foreign = await createPkiHome({ users: [{ id: 'anna', name: 'Anna Fremd', tenants: ['tischlerei'] }] });
    try {
      const { signBundle } = await import('../../../../../server/pki/bundle.js');
      // A bundle signed by our CA whose PKCS#12 was issued by the foreign CA.
      const mixed = signBundle(
        { ...pki.users.anna!.payload, pkcs12: foreign.users.anna!.payload.pkcs12 },
        readFileSync(pki.layout.caKey, 'utf8'),
      );
      const { service } = identityFixture();
      expect(await refusal(service.import(JSON.stringify(mixed), foreign.users.anna!.passphrase))).toBe('certificate_untrusted');
      const pinned = identityFixture({ pinned: [caFingerprint(pki.caPem)] });
      expect(await refusal(pinned.service.import(foreign.users.anna!.bundle, foreign.users.anna!.passphrase))).toBe(
        'certificate_untrusted',
      );
      expect((await pinned.service.import(pki.users.anna!.bundle, pki.users.anna!.passphrase)).state).toBe('active');
    } finally {
      foreign.cleanup();
    }
  });
});

describe('the SIP domain travels with the identity', () => {
  const resign = async (payload: Record<string, unknown>) => {
    const { signBundle } = await import('../../../../../server/pki/bundle.js');
    return JSON.stringify(signBundle(payload as never, readFileSync(pki.layout.caKey, 'utf8')));
  };

  it('carries the bundle’s sipDomain, also when it differs from the PBX URL host, and keeps it across a restart', async () => {
    const other = await createPkiHome({ pbxUrl: 'wss://sbc.example.net:7443/', sipDomain: 'pbx.example.net' });
    try {
      const anna = other.users.anna!;
      expect(anna.payload.sipDomain).toBe('pbx.example.net');
      const { service, make } = identityFixture();
      const status = await service.import(anna.bundle, anna.passphrase);
      expect(status).toMatchObject({
        state: 'active',
        identity: { pbxUrl: 'wss://sbc.example.net:7443/', sipDomain: 'pbx.example.net' },
      });
      expect(await make().status()).toMatchObject({ identity: { sipDomain: 'pbx.example.net' } });
    } finally {
      other.cleanup();
    }
  });

  it('imports an old bundle without sipDomain and takes the PBX URL host instead', async () => {
    const { sipDomain: _dropped, ...old } = { ...pki.users.anna!.payload, pbxUrl: 'wss://PBX.Example.de:7443/' };
    const { service } = identityFixture();
    expect(await service.import(await resign(old), pki.users.anna!.passphrase)).toMatchObject({
      state: 'active',
      identity: { sipDomain: 'pbx.example.de' },
    });
  });

  it('refuses a bundle whose sipDomain is not a host name or IP address, storing nothing', async () => {
    const { service, store } = identityFixture();
    for (const bad of [
      'pbx.example.de:5060',
      'sip:pbx.example.de',
      'pbx example.de',
      '',
      '-pbx.example.de',
      '300.1.2.3',
      'a@b',
    ]) {
      const bundle = await resign({ ...pki.users.anna!.payload, sipDomain: bad });
      const error = await service.import(bundle, pki.users.anna!.passphrase).catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(HostError);
      expect((error as HostError).code, bad).toBe('sip_domain_invalid');
      expect((error as HostError).message).toContain(JSON.stringify(bad));
    }
    expect((await service.status()).state).toBe('none');
    expect(store.size).toBe(0);
    for (const good of ['pbx.example.de', 'localhost', '10.0.0.7']) {
      expect(
        (await service.import(await resign({ ...pki.users.anna!.payload, sipDomain: good }), pki.users.anna!.passphrase)).state,
      ).toBe('active');
    }
  });
});

describe('identity storage', () => {
  it('refuses to import when no secret store gives real encryption, writing nothing', async () => {
    const { service, dir } = identityFixture({ stores: [new MemorySecretStore(false)] });
    expect(await refusal(service.import(pki.users.anna!.bundle, pki.users.anna!.passphrase))).toBe('keychain_unavailable');
    expect(filesUnder(dir).filter((f) => !f.includes('logs'))).toEqual([]);
  });

  it('reports an error when the keychain entry is gone, and remove clears everything', async () => {
    const { service, store, make, dir } = identityFixture();
    await service.import(pki.users.anna!.bundle, pki.users.anna!.passphrase);
    const stored = JSON.parse(readFileSync(join(dir, 'identity', 'identity.json'), 'utf8')) as { account: string };
    await store.delete(stored.account);
    const broken = make();
    expect(await broken.status()).toMatchObject({ state: 'error', code: 'keychain_unavailable' });
    expect(broken.tlsOptions()).toBeUndefined();
    expect(await broken.remove()).toEqual({ state: 'none' });
    expect(filesUnder(dir).filter((f) => !f.includes('logs'))).toEqual([]);
  });

  it('remove deletes the key from the store and the file from the profile', async () => {
    const { service, store, make, dir } = identityFixture();
    await service.import(pki.users.anna!.bundle, pki.users.anna!.passphrase);
    // A re-import replaces the key: still exactly one entry.
    await service.import(pki.users.anna!.bundle, pki.users.anna!.passphrase);
    expect(store.size).toBe(1);
    await service.remove();
    expect(store.size).toBe(0);
    expect(service.tlsOptions()).toBeUndefined();
    expect(filesUnder(dir).filter((f) => !f.includes('logs'))).toEqual([]);
    expect((await make().status()).state).toBe('none');
  });

  it('hands out PKCS#12 options Node can build a TLS context from', async () => {
    const { service } = identityFixture();
    await service.import(pki.users.anna!.bundle, pki.users.anna!.passphrase);
    expect(() => createSecureContext(service.tlsOptions())).not.toThrow();
  });
});
