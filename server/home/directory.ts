import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { IdentityRole, sipDomainFromPbxUrl } from '../../protocol/identity.js';
import { TenantId } from '../../protocol/index.js';

export const Role = IdentityRole;

export const DirectoryTenantEntry = z.object({
  id: TenantId,
  name: z.string().min(1),
  /** E.164 numbers that belong to the firm; an incoming call's dialled number finds the tenant. */
  numbers: z.array(z.string()),
  mobile: z.string().optional(),
  greeting: z.string().optional(),
  hours: z.string().optional(),
  /** How long the first group rings on the firm's number before the fallback group (PBX; default 20). */
  ringSeconds: z.number().int().min(1).max(300).optional(),
  /** In service hours, ring the firm's craftsmen after the teleworkers (PBX; default false). */
  craftsmanFallback: z.boolean().optional(),
  /** Where the firm's scanned mail is e-mailed when forwarded (the craftsman's address); none = no e-mail. */
  mailTo: z.string().email().optional(),
  /** Secret of the firm's calendar feed URL (appointments issue); never logged. */
  calendarToken: z.string().optional(),
});
export type DirectoryTenantEntry = z.infer<typeof DirectoryTenantEntry>;

export const CertificateEntry = z.object({
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  revokedAt: z.string().optional(),
  /** Path of the issued certificate, relative to the home (DIR/issued/…); absent in older directories. */
  file: z.string().optional(),
});
export type CertificateEntry = z.infer<typeof CertificateEntry>;

export const DirectoryUserEntry = z.object({
  /** The certificate's CN and the SIP user name. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/),
  name: z.string().min(1),
  role: Role,
  tenants: z.array(TenantId),
  certificates: z.array(CertificateEntry),
});
export type DirectoryUserEntry = z.infer<typeof DirectoryUserEntry>;

/** Defaults that `ca init` stores and `user add` writes into every provisioning bundle. */
export const ServiceSettings = z.object({
  pbxUrl: z.string(),
  /** The users' AoR domain; absent in homes made before it existed, then the pbxUrl host (serviceSipDomain). */
  sipDomain: z.string().optional(),
  serverUrl: z.string(),
  /**
   * The calendar feed's base URL: its own listener, which asks for no client certificate and serves
   * nothing but the feeds. Absent in homes made before it existed, then serviceCalendarUrl.
   */
  calendarUrl: z.string().optional(),
  /** Host names and IPs in the server/PBX TLS certificate. */
  hosts: z.array(z.string()),
  stunUrls: z.array(z.string()).optional(),
  updateChannel: z.string().optional(),
  /** How long each CRL is valid; `ca crl` must run again before then. */
  crlDays: z.number().int().positive().optional(),
});
export type ServiceSettings = z.infer<typeof ServiceSettings>;

/** The SIP domain the bundles of this home carry, and so the one the PBX must serve. */
export function serviceSipDomain(service: ServiceSettings): string {
  return service.sipDomain ?? sipDomainFromPbxUrl(service.pbxUrl);
}

/** The feed listener's default port: next to the sync server's 7444, its own firewall rule. */
export const DEFAULT_FEED_PORT = 7445;

/** Where `calendar url` points and `npm run stack` binds the feed: calendarUrl, else serverUrl's host on 7445. */
export function serviceCalendarUrl(service: ServiceSettings): string {
  if (service.calendarUrl) return service.calendarUrl;
  const url = new URL(service.serverUrl);
  url.port = String(DEFAULT_FEED_PORT);
  return `${url.origin}/`;
}

export const Directory = z.object({
  version: z.literal(1),
  tenants: z.array(DirectoryTenantEntry),
  users: z.array(DirectoryUserEntry),
  /** Absent in directories written before `ca init` stored its settings here. */
  service: ServiceSettings.optional(),
  /**
   * Certificates of users removed with `user remove`, all revoked: they stay on the CRL after their
   * user has left `users` (the CRL is made from both), or they would be valid again.
   */
  removedCertificates: z.array(CertificateEntry.extend({ user: z.string() })).optional(),
});
export type Directory = z.infer<typeof Directory>;

/**
 * Whether `user` serves `tenant`: the tenants listed for the user, and for a lead every tenant of the
 * directory, so a firm added later needs no edit of her entry. The sync server (AccessControl) and
 * the PBX's directory table both decide by this, so they cannot disagree.
 */
export function servesTenant(directory: Directory, user: DirectoryUserEntry, tenant: string): boolean {
  if (user.tenants.includes(tenant)) return true;
  return user.role === 'lead' && directory.tenants.some((t) => t.id === tenant);
}

/** Every tenant `user` serves, the user's own order first, then the directory's. */
export function servedTenants(directory: Directory, user: DirectoryUserEntry): string[] {
  const known = new Set([...user.tenants, ...directory.tenants.map((t) => t.id)]);
  return [...known].filter((tenant) => servesTenant(directory, user, tenant));
}

export function emptyDirectory(): Directory {
  return { version: 1, tenants: [], users: [] };
}

export function readDirectory(file: string): Directory {
  if (!existsSync(file)) return emptyDirectory();
  return Directory.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Written whole to a temporary file and renamed, so the server never reads half a directory. */
export function writeDirectory(file: string, directory: Directory): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(Directory.parse(directory), null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
