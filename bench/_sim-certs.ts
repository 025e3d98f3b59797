/**
 * Client certificates for thousands of simulated apps, issued in process by the test home's CA
 * (test/helpers/pbx-certs.ts, an ECDSA P-256 CA). The certificate has the shape server/pki/x509.ts's
 * issueClientCert gives (CN = user id, clientAuth only, the CA's key identifier), but an ECDSA P-256
 * key instead of RSA 2048: an RSA key costs 50 ms to 1 s to generate on a loaded 2-core machine, which
 * would spend minutes of the bench's budget before the first app starts. docs/scale.md notes what
 * RSA changes (a costlier signature per handshake on the app's side).
 */
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { SimTls } from './_sim-sip.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

const pem = (der: ArrayBuffer, label: string) => `${x509.PemConverter.encode(der, label)}\n`;

export async function issueSimCerts(caPem: string, caKeyPem: string, users: string[]): Promise<Map<string, SimTls>> {
  const crypto = webcrypto;
  x509.cryptoProvider.set(crypto as unknown as Crypto);
  const caCert = new x509.X509Certificate(caPem);
  const caKey = await crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(caKeyPem), EC, false, ['sign']);
  const out = new Map<string, SimTls>();
  const now = Date.now();
  for (const user of users) {
    const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const serial = randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject: `CN=${user}`,
      issuer: caCert.subject,
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(now + 30 * 86_400_000),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ],
    });
    out.set(user, {
      key: pem(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
      cert: `${cert.toString('pem')}\n`,
      ca: caPem,
    });
  }
  return out;
}
