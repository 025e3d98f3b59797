/**
 * Identity: the provisioning bundle IT hands each user (format in docs/provisioning.md) and the host
 * API for importing it. The renderer sends the bundle text and the passphrase once; afterwards it only
 * ever sees the summary below — never the passphrase, the key or the PKCS#12.
 */
import { z } from 'zod';
import { NoInput } from './method-io.js';

export const BUNDLE_FORMAT = 'vermittlung-provisioning/1';
/** A bundle is a few KiB; the bound keeps a wrong file (a video, a disk image) from being read whole. */
export const MAX_BUNDLE_CHARS = 256 * 1024;
/** Warn this many days before the certificate runs out. */
export const EXPIRY_WARNING_DAYS = 30;

/** `lead` is the office lead (Büroleitung): serves every firm of the service, also firms added later. */
export const IdentityRole = z.enum(['teleworker', 'craftsman', 'lead']);
export type IdentityRole = z.infer<typeof IdentityRole>;

export const IdentityTenant = z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(200) });
export type IdentityTenant = z.infer<typeof IdentityTenant>;

const UserId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/);

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The domain of the user's AoR (sip:user@<domain>). It lands verbatim in SIP headers, so only a
 * host name or IPv4 address passes — no port, no scheme, no spaces. IPv6 literals are not accepted:
 * Kamailio's domain match and the AoR would need brackets the PBX config does not expect.
 */
export function isSipDomain(value: string): boolean {
  return IPV4.test(value) || (HOSTNAME.test(value) && !/^[\d.]+$/.test(value));
}
export const SipDomain = z.string().refine(isSipDomain, 'not a host name or IPv4 address');

/**
 * The SIP domain of bundles that do not name one (issued before `sipDomain` existed): the host of
 * the PBX's WSS URL, lower-cased, brackets of an IPv6 literal removed.
 */
export function sipDomainFromPbxUrl(pbxUrl: string): string {
  const host = /^wss:\/\/(\[[^\]]+\]|[^/:?#]+)/i.exec(pbxUrl)?.[1] ?? '';
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

/** What the CA signs. `pkcs12` is base64 and protected by the passphrase IT gives the user separately. */
export const ProvisioningPayload = z.object({
  user: UserId,
  name: z.string().min(1).max(200),
  role: IdentityRole,
  tenants: z.array(IdentityTenant).min(1).max(100),
  pbxUrl: z.string().regex(/^wss:\/\//),
  /** Optional so bundles issued before it still import; then sipDomainFromPbxUrl(pbxUrl) applies. */
  sipDomain: z.string().max(253).optional(),
  serverUrl: z.string().regex(/^https:\/\//),
  caCertificate: z.string().includes('-----BEGIN CERTIFICATE-----'),
  pkcs12: z.string().regex(/^[A-Za-z0-9+/=]+$/),
  serial: z.string().regex(/^[0-9a-f]+$/),
  notAfter: z.iso.datetime(),
  issuedAt: z.iso.datetime(),
  iceServers: z.array(z.object({ urls: z.array(z.string()).min(1) })).optional(),
  updateChannel: z.string().max(40).optional(),
});
export type ProvisioningPayload = z.infer<typeof ProvisioningPayload>;

/**
 * The file. `payload` is the base64 of the payload's UTF-8 JSON; `signature` is the CA's RSA PKCS#1 v1.5
 * SHA-256 signature over exactly the ASCII bytes of that base64 string, so no JSON canonicalisation
 * is needed to verify it.
 */
export const ProvisioningBundle = z.object({
  format: z.literal(BUNDLE_FORMAT),
  payload: z.string().regex(/^[A-Za-z0-9+/=]+$/),
  signatureAlgorithm: z.literal('RSASSA-PKCS1-v1_5-SHA256'),
  signature: z.string().regex(/^[A-Za-z0-9+/=]+$/),
});
export type ProvisioningBundle = z.infer<typeof ProvisioningBundle>;

export const IdentitySummary = z.object({
  user: z.string(),
  name: z.string(),
  role: IdentityRole,
  tenants: z.array(IdentityTenant),
  notAfter: z.iso.datetime(),
  expiresSoon: z.boolean(),
  pbxUrl: z.string(),
  /** The AoR domain: the bundle's sipDomain, or the pbxUrl host for bundles without one. */
  sipDomain: z.string(),
  serverUrl: z.string(),
});
export type IdentitySummary = z.infer<typeof IdentitySummary>;

export const IdentityStatus = z.discriminatedUnion('state', [
  z.object({ state: z.literal('none') }),
  z.object({ state: z.literal('active'), identity: IdentitySummary }),
  z.object({ state: z.literal('expired'), identity: IdentitySummary }),
  /** Stored material that cannot be opened (keychain entry gone, file damaged): import again. */
  z.object({ state: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type IdentityStatus = z.infer<typeof IdentityStatus>;

export const IdentityImportInput = z.object({
  bundle: z.string().min(1).max(MAX_BUNDLE_CHARS),
  passphrase: z.string().min(1).max(1024),
});

export const identityMethods = {
  'identity.status': { input: NoInput, output: IdentityStatus },
  'identity.import': { input: IdentityImportInput, output: IdentityStatus },
  'identity.remove': { input: NoInput, output: IdentityStatus },
} as const;

export const identityEvents = {
  'identity.changed': IdentityStatus,
} as const;
