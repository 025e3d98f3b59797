import { createHash, createPrivateKey, verify, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { z } from 'zod';
import { HostError, type ErrorCode } from '../../../protocol/errors.js';
import {
  EXPIRY_WARNING_DAYS,
  isSipDomain,
  MAX_BUNDLE_CHARS,
  ProvisioningBundle,
  ProvisioningPayload,
} from '../../../protocol/identity.js';

/**
 * Checks a provisioning bundle (docs/provisioning.md) and opens its PKCS#12. Order matters: the
 * signature is checked before anything in the payload is trusted, and each refusal has its own code
 * for the UI.
 */
export interface OpenedBundle {
  payload: ProvisioningPayload;
  pfx: Buffer;
  caPem: string;
  notAfter: Date;
  expiresSoon: boolean;
  caSha256: string;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const CLOCK_SKEW_MS = 10 * 60_000;

function fail(code: ErrorCode, message: string): never {
  throw new HostError(code, message);
}

export function caFingerprint(caPem: string): string {
  return createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex');
}

export function openBundle(text: string, passphrase: string, now = new Date(), pinnedCaSha256: string[] = []): OpenedBundle {
  if (text.length > MAX_BUNDLE_CHARS) fail('bundle_invalid', 'the file is too large to be a provisioning bundle');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail('bundle_invalid', 'the file is not a provisioning bundle (not JSON, or cut off)');
  }
  const bundle = ProvisioningBundle.safeParse(json);
  if (!bundle.success) fail('bundle_invalid', 'the file is not a provisioning bundle (unknown format)');

  // Only the CA certificate is read before the signature check, to have a key to check with.
  let caPem: string;
  let ca: X509Certificate;
  try {
    const loose = z
      .object({ caCertificate: z.string() })
      .parse(JSON.parse(Buffer.from(bundle.data.payload, 'base64').toString('utf8')));
    caPem = loose.caCertificate;
    ca = new X509Certificate(caPem);
  } catch {
    fail('bundle_tampered', 'the bundle payload is damaged');
  }
  const signed = verify(
    'sha256',
    Buffer.from(bundle.data.payload, 'ascii'),
    ca.publicKey,
    Buffer.from(bundle.data.signature, 'base64'),
  );
  if (!signed) fail('bundle_tampered', 'the bundle signature does not match its content');
  if (!ca.ca || !ca.verify(ca.publicKey)) fail('certificate_untrusted', 'the bundle was not signed by a CA certificate');
  const caSha256 = caFingerprint(caPem);
  if (pinnedCaSha256.length > 0 && !pinnedCaSha256.includes(caSha256)) {
    fail('certificate_untrusted', 'the bundle comes from a CA this installation does not trust');
  }

  const parsed = ProvisioningPayload.safeParse(JSON.parse(Buffer.from(bundle.data.payload, 'base64').toString('utf8')));
  if (!parsed.success) fail('bundle_invalid', 'the signed payload is not a valid provisioning payload');
  const payload = parsed.data;
  if (payload.sipDomain !== undefined && !isSipDomain(payload.sipDomain)) {
    fail('sip_domain_invalid', `the bundle's sipDomain ${JSON.stringify(payload.sipDomain)} is not a host name or IPv4 address`);
  }
  const pfx = Buffer.from(payload.pkcs12, 'base64');

  const { certPem, keyPem } = readPkcs12(pfx, passphrase);
  const leaf = new X509Certificate(certPem);
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
    fail('certificate_untrusted', 'the certificate was not issued by the bundle CA');
  }
  if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) fail('bundle_invalid', 'the key does not belong to the certificate');
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
  if (cn !== payload.user) fail('certificate_untrusted', `the certificate is for "${cn ?? '?'}", not "${payload.user}"`);
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes(CLIENT_AUTH)) {
    fail('certificate_untrusted', 'the certificate is not meant for client authentication');
  }
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) fail('certificate_expired', `the certificate expired on ${notAfter.toISOString()}`);
  if (new Date(leaf.validFrom).getTime() > now.getTime() + CLOCK_SKEW_MS) {
    fail('certificate_untrusted', 'the certificate is not valid yet (is the clock right?)');
  }
  try {
    // What the PBX and sync connections will do with it: catch anything OpenSSL would refuse now.
    createSecureContext({ pfx, passphrase, ca: caPem });
  } catch (error) {
    fail('bundle_invalid', `the certificate cannot be used for TLS: ${(error as Error).message}`);
  }
  return { payload, pfx, caPem, notAfter, expiresSoon: expiresSoon(notAfter, now), caSha256 };
}

export function expiresSoon(notAfter: Date, now = new Date()): boolean {
  return notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000;
}

function readPkcs12(pfx: Buffer, passphrase: string): { certPem: string; keyPem: string } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, passphrase);
  } catch (error) {
    const message = (error as Error).message;
    if (/MAC could not be verified|Invalid password/i.test(message))
      fail('wrong_passphrase', 'the passphrase does not open the certificate');
    fail('bundle_invalid', `the certificate container is damaged: ${message}`);
  }
  const { pkcs8ShroudedKeyBag, keyBag: plainKeyBag, certBag } = forge.pki.oids as Record<string, string>;
  const bags = (type: string | undefined): forge.pkcs12.Bag[] => (type ? (p12.getBags({ bagType: type })[type] ?? []) : []);
  const keyBag = bags(pkcs8ShroudedKeyBag)[0] ?? bags(plainKeyBag)[0];
  const certs = bags(certBag)
    .map((bag) => bag.cert)
    .filter((cert): cert is forge.pki.Certificate => cert !== undefined);
  const isCa = (cert: forge.pki.Certificate) =>
    cert.extensions.some((e: { name?: string; cA?: boolean }) => e.name === 'basicConstraints' && e.cA === true);
  const leaf = certs.find((cert) => !isCa(cert));
  if (!keyBag?.key || !leaf) fail('bundle_invalid', 'the certificate container holds no key and certificate');
  return { certPem: forge.pki.certificateToPem(leaf), keyPem: forge.pki.privateKeyToPem(keyBag.key) };
}
