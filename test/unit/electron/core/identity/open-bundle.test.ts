import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../../../../electron/core/identity/open-bundle.js';
import { HostError } from '../../../../../protocol/errors.js';
import { normaliseSerial } from '../../../../../server/auth/access.js';
import { readDirectory } from '../../../../../server/home/directory.js';
import { signBundle } from '../../../../../server/pki/bundle.js';
import { createPkcs12 } from '../../../../../server/pki/pkcs12.js';
import { generateKeyPair, issueClientCert, issueServerCert, loadCa } from '../../../../../server/pki/x509.js';
import { createPkiHome, type PkiHome } from '../../../../helpers/pki.js';

let pki: PkiHome;
let foreign: PkiHome;
beforeAll(async () => {
  pki = await createPkiHome();
  // Another office CA with the same names: only keys and signatures tell the two apart.
  foreign = await createPkiHome();
}, 120_000);
afterAll(() => {
  pki?.cleanup();
  foreign?.cleanup();
});

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HostError);
    return { code: (error as HostError).code, message: (error as HostError).message };
  }
  throw new Error('expected a refusal');
}

const caKey = () => readFileSync(pki.layout.caKey, 'utf8');

describe('openBundle trusts nothing of a bundle its CA did not vouch for', () => {
  it('opens a bundle of this office CA', () => {
    const anna = pki.users.anna!;
    expect(openBundle(anna.bundle, anna.passphrase).payload.user).toBe('anna');
  });

  it('refuses a signed bundle whose certificate is for another user than the bundle names', () => {
    const anna = pki.users.anna!;
    const renamed = signBundle({ ...anna.payload, user: 'max' }, caKey());
    expect(refusal(() => openBundle(JSON.stringify(renamed), anna.passphrase))).toMatchObject({
      code: 'certificate_untrusted',
      message: expect.stringContaining('"anna", not "max"') as unknown,
    });
  });

  it('refuses a certificate of another CA with the same names inside a bundle our CA signed', () => {
    const stranger = foreign.users.anna!;
    const mixed = signBundle({ ...pki.users.anna!.payload, pkcs12: stranger.payload.pkcs12 }, caKey());
    expect(new X509Certificate(foreign.caPem).subject).toBe(new X509Certificate(pki.caPem).subject);
    expect(refusal(() => openBundle(JSON.stringify(mixed), stranger.passphrase)).code).toBe('certificate_untrusted');
  });

  it('refuses a certificate that names our CA as its issuer but was signed by another key', async () => {
    const anna = pki.users.anna!;
    // Our CA's certificate (issuer name, key identifier) with a stranger's key: a forged leaf.
    const forger = await loadCa(pki.caPem, (await generateKeyPair()).privateKeyPem);
    const forged = await issueClientCert(forger, 'anna', 365);
    const pkcs12 = createPkcs12(forged.keyPem, forged.certPem, pki.caPem, 'forged-pass', 'anna').toString('base64');
    const bundle = signBundle({ ...anna.payload, pkcs12 }, caKey());
    expect(new X509Certificate(forged.certPem).checkIssued(new X509Certificate(pki.caPem))).toBe(true);
    expect(refusal(() => openBundle(JSON.stringify(bundle), 'forged-pass'))).toMatchObject({
      code: 'certificate_untrusted',
      message: expect.stringContaining('not issued by the bundle CA') as unknown,
    });
  });

  it('refuses a certificate of our CA that is not meant for client authentication', async () => {
    const anna = pki.users.anna!;
    // The kind of certificate the PBX and the server present: serverAuth only, here with CN=anna.
    const server = await issueServerCert(await loadCa(pki.caPem, caKey()), ['anna'], 30);
    const pkcs12 = createPkcs12(server.keyPem, server.certPem, pki.caPem, 'server-pass', 'anna').toString('base64');
    const bundle = signBundle({ ...anna.payload, pkcs12 }, caKey());
    expect(refusal(() => openBundle(JSON.stringify(bundle), 'server-pass'))).toMatchObject({
      code: 'certificate_untrusted',
      message: expect.stringContaining('not meant for client authentication') as unknown,
    });
  });

  it('refuses a certificate that is not valid yet beyond ten minutes of clock skew, and takes one within', () => {
    const anna = pki.users.anna!;
    const entry = readDirectory(pki.layout.directory)
      .users.find((u) => u.id === 'anna')!
      .certificates.find((c) => normaliseSerial(c.serial) === normaliseSerial(anna.serial))!;
    const validFrom = new Date(entry.notBefore).getTime();
    expect(refusal(() => openBundle(anna.bundle, anna.passphrase, new Date(validFrom - 60 * 60_000)))).toMatchObject({
      code: 'certificate_untrusted',
      message: expect.stringContaining('not valid yet') as unknown,
    });
    expect(openBundle(anna.bundle, anna.passphrase, new Date(validFrom - 5 * 60_000)).payload.user).toBe('anna');
  });
});
