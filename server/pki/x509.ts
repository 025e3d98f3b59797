import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';

/**
 * Certificate and CRL issuance for the office service's CA, on @peculiar/x509 with Node's webcrypto.
 * RSA 2048 everywhere: Kamailio 5.6's OpenSSL, Node's TLS and node-forge's PKCS#12 all take it.
 */
// @peculiar/x509 finds Node 20's global webcrypto itself; key generation uses the same implementation.
const crypto = webcrypto;

export const KEY_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;
const SIGNING = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** A little clock skew between the CA and a client must not make a fresh certificate "not yet valid". */
const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export interface KeyPairPem {
  privateKeyPem: string;
  keys: CryptoKeyPair;
}

export async function generateKeyPair(): Promise<KeyPairPem> {
  const keys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, privateKeyPem: pem(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')) };
}

export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

/** 128 random bits with the top bit cleared: positive, unique, and what CAs are told to use (RFC 5280 §4.1.2.2). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export interface Ca {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export async function createCa(commonName: string, years = 10): Promise<{ certPem: string; keyPem: string }> {
  const pair = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${escapeDn(commonName)}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + years * 365 * DAY_MS),
    keys: pair.keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(pair.keys.publicKey),
    ],
  });
  return { certPem: pem(cert.toString('pem')), keyPem: pair.privateKeyPem };
}

export async function loadCa(certPem: string, keyPem: string): Promise<Ca> {
  return { cert: new x509.X509Certificate(certPem), key: await importPrivateKey(keyPem) };
}

export interface Issued {
  certPem: string;
  keyPem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** The TLS certificate of the server and the PBX: serverAuth, the given host names and IPs as SANs. */
export async function issueServerCert(ca: Ca, hosts: string[], days = 825): Promise<Issued> {
  const names = hosts.map((host): x509.JsonGeneralName => ({ type: isIp(host) ? 'ip' : 'dns', value: host }));
  return issue(ca, hosts[0] ?? 'localhost', days, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ]);
}

/** A user's client certificate: CN = user id (the SIP user), clientAuth only. */
export async function issueClientCert(ca: Ca, userId: string, days: number): Promise<Issued> {
  return issue(ca, userId, days, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]);
}

async function issue(ca: Ca, commonName: string, days: number, extra: x509.Extension[]): Promise<Issued> {
  const pair = await generateKeyPair();
  const now = Date.now();
  const notBefore = new Date(now - BACKDATE_MS);
  // --days 0 yields a certificate that is already expired: IT's way to test the refusal.
  const notAfter = new Date(now + days * DAY_MS);
  const serial = randomSerial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${escapeDn(commonName)}`,
    issuer: ca.cert.subject,
    notBefore,
    notAfter,
    publicKey: pair.keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      await x509.SubjectKeyIdentifierExtension.create(pair.keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      ...extra,
    ],
  });
  return { certPem: pem(cert.toString('pem')), keyPem: pair.privateKeyPem, serial: cert.serialNumber, notBefore, notAfter };
}

export interface Revocation {
  serial: string;
  revokedAt: Date;
}

/** A fresh CRL over every revocation; nextUpdate tells the PBX and the server how long it stays valid. */
export async function createCrl(ca: Ca, revoked: Revocation[], validDays = 7): Promise<string> {
  const now = new Date();
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + validDays * DAY_MS),
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.cert)],
    entries: revoked.map((r) => ({
      serialNumber: r.serial,
      revocationDate: r.revokedAt,
      reason: x509.X509CrlReason.cessationOfOperation,
    })),
  });
  // OpenSSL and Kamailio only read the RFC 7468 label, "X509 CRL".
  return pem(x509.PemConverter.encode(crl.rawData, 'X509 CRL'));
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** Files and concatenated chains need the final newline @peculiar/x509 leaves off. */
function pem(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
