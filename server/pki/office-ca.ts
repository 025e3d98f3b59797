import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isSipDomain, sipDomainFromPbxUrl, type ProvisioningPayload } from '../../protocol/identity.js';
import { FileDirectoryStore, type DirectoryStore } from '../directory/directory-store.js';
import {
  DEFAULT_FEED_PORT,
  servedTenants,
  serviceSipDomain,
  type Directory,
  type DirectoryUserEntry,
  type ServiceSettings,
} from '../home/directory.js';
import { homeLayout, type HomeLayout } from '../home/layout.js';
import { serializeBundle, signBundle } from './bundle.js';
import { createPkcs12 } from './pkcs12.js';
import { createCa, createCrl, issueClientCert, issueServerCert, loadCa, type Ca } from './x509.js';

/**
 * The office service's CA on disk (layout in server/home/layout.ts): initialise it, issue client
 * certificates into provisioning bundles, revoke them and keep the CRL current. The admin CLI is a
 * thin shell over this class; tests use it directly.
 */
export class AdminFailure extends Error {
  override name = 'AdminFailure';
}

export const DEFAULT_HOSTS = ['localhost', '127.0.0.1'];
export const DEFAULT_CRL_DAYS = 7;

export interface InitOptions {
  hosts?: string[];
  caName?: string;
  pbxUrl?: string;
  /** The users' AoR domain; default the pbxUrl host. */
  sipDomain?: string;
  serverUrl?: string;
  /** The calendar feed listener's base URL; default https://HOST:7445/. */
  calendarUrl?: string;
  stunUrls?: string[];
  updateChannel?: string;
  crlDays?: number;
}

export interface IssueResult {
  user: DirectoryUserEntry;
  serial: string;
  notAfter: Date;
  bundleFile: string;
  passphrase: string;
  /** True when the CLI generated the passphrase and must show it (once). */
  generatedPassphrase: boolean;
}

function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Four groups of five from an alphabet without look-alikes: readable over the phone, ~100 bits. */
export function generatePassphrase(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

export class OfficeCa {
  readonly layout: HomeLayout;
  /** The home's directory.json unless the directory lives in PostgreSQL; the CA key stays in the home either way. */
  readonly store: DirectoryStore;
  constructor(home: string, store?: DirectoryStore) {
    this.layout = homeLayout(home);
    this.store = store ?? new FileDirectoryStore(this.layout);
  }

  exists(): boolean {
    return existsSync(this.layout.caKey) && existsSync(this.layout.caCert);
  }

  async init(options: InitOptions = {}): Promise<{ hosts: string[]; service: ServiceSettings }> {
    if (this.exists())
      throw new AdminFailure(`a CA already exists in ${this.layout.home} (${this.layout.caCert}); refusing to overwrite it`);
    const hosts = options.hosts && options.hosts.length > 0 ? options.hosts : DEFAULT_HOSTS;
    // With the default hosts, the numeric loopback avoids localhost resolving to ::1 first.
    const first = options.hosts?.[0] ?? '127.0.0.1';
    const urlHost = first.includes(':') ? `[${first}]` : first;
    const pbxUrl = options.pbxUrl ?? `wss://${urlHost}:7443/`;
    const sipDomain = options.sipDomain ?? sipDomainFromPbxUrl(pbxUrl);
    // Checked before anything is written, so a typo leaves no half-made home behind.
    if (!isSipDomain(sipDomain)) throw new AdminFailure(`SIP domain "${sipDomain}" is not a host name or IPv4 address`);
    const service: ServiceSettings = {
      pbxUrl,
      sipDomain,
      serverUrl: options.serverUrl ?? `https://${urlHost}:7444/`,
      calendarUrl: options.calendarUrl ?? `https://${urlHost}:${DEFAULT_FEED_PORT}/`,
      hosts,
      ...(options.stunUrls?.length ? { stunUrls: options.stunUrls } : {}),
      updateChannel: options.updateChannel ?? 'stable',
      crlDays: options.crlDays ?? DEFAULT_CRL_DAYS,
    };
    mkdirSync(this.layout.home, { recursive: true, mode: 0o700 });
    const created = await createCa(options.caName ?? 'Vermittlung Office Service CA');
    writePrivate(this.layout.caKey, created.keyPem);
    writeFileSync(this.layout.caCert, created.certPem);
    const ca = await loadCa(created.certPem, created.keyPem);
    const server = await issueServerCert(ca, hosts);
    writePrivate(this.layout.serverKey, server.keyPem);
    writeFileSync(this.layout.serverCert, server.certPem + created.certPem);
    mkdirSync(this.layout.issuedDir, { recursive: true, mode: 0o700 });
    const directory = await this.directory();
    await this.saveDirectory({ ...directory, service });
    await this.refreshCrl(ca);
    return { hosts, service };
  }

  directory(): Promise<Directory> {
    return this.store.read();
  }

  saveDirectory(directory: Directory): Promise<void> {
    return this.store.write(directory);
  }

  async loadCa(): Promise<Ca> {
    if (!this.exists()) {
      throw new AdminFailure(`no CA in ${this.layout.home}: run \`npm run admin -- ca init --home ${this.layout.home}\` first`);
    }
    return loadCa(readFileSync(this.layout.caCert, 'utf8'), readFileSync(this.layout.caKey, 'utf8'));
  }

  /**
   * A new TLS certificate for the server and the PBX (before the old one expires, or for other host
   * names). Key and certificate each go to a temporary file and are renamed, the key first: a
   * watcher reacts to the certificate and then finds the matching key. The running server and
   * `npm run stack`'s Kamailio pick them up without a restart.
   */
  async renewServerCert(hosts: string[] | undefined, days: number): Promise<{ hosts: string[]; serial: string; notAfter: Date }> {
    const ca = await this.loadCa();
    const directory = await this.directory();
    const names = hosts && hosts.length > 0 ? hosts : (directory.service?.hosts ?? DEFAULT_HOSTS);
    const issued = await issueServerCert(ca, names, days);
    const swap = (file: string, text: string, write: (file: string, text: string) => void) => {
      const tmp = `${file}.tmp-${process.pid}`;
      write(tmp, text);
      renameSync(tmp, file);
    };
    swap(this.layout.serverKey, issued.keyPem, writePrivate);
    swap(this.layout.serverCert, issued.certPem + readFileSync(this.layout.caCert, 'utf8'), (file, text) =>
      writeFileSync(file, text),
    );
    if (directory.service && hosts && hosts.length > 0)
      await this.saveDirectory({ ...directory, service: { ...directory.service, hosts: names } });
    return { hosts: names, serial: issued.serial, notAfter: issued.notAfter };
  }

  /** Rewrites the CRL (DIR/ca/crl.pem, or PostgreSQL's) from every revocation in the directory. */
  async refreshCrl(ca?: Ca): Promise<{ revoked: number; nextUpdate: Date }> {
    const signer = ca ?? (await this.loadCa());
    const directory = await this.directory();
    const days = directory.service?.crlDays ?? DEFAULT_CRL_DAYS;
    const revoked = [...directory.users.flatMap((u) => u.certificates), ...(directory.removedCertificates ?? [])]
      .filter((c) => c.revokedAt)
      .map((c) => ({ serial: c.serial, revokedAt: new Date(c.revokedAt!) }));
    await this.store.writeCrl(await createCrl(signer, revoked, days));
    return { revoked: revoked.length, nextUpdate: new Date(Date.now() + days * 86_400_000) };
  }

  /** Issues a client certificate for an existing directory user and writes a signed bundle to `out`. */
  async issueBundle(userId: string, out: string, days: number, passphrase?: string): Promise<IssueResult> {
    const ca = await this.loadCa();
    const directory = await this.directory();
    const user = directory.users.find((u) => u.id === userId);
    if (!user) throw new AdminFailure(`unknown user "${userId}"`);
    const service = directory.service;
    if (!service) throw new AdminFailure('the directory has no service settings; was the home made by `ca init`?');
    const issued = await issueClientCert(ca, user.id, days);
    const certFile = join(this.layout.issuedDir, `${user.id}-${issued.serial}.crt.pem`);
    mkdirSync(this.layout.issuedDir, { recursive: true, mode: 0o700 });
    writeFileSync(certFile, issued.certPem);
    const secret = passphrase ?? generatePassphrase();
    const caPem = readFileSync(this.layout.caCert, 'utf8');
    const p12 = createPkcs12(issued.keyPem, issued.certPem, caPem, secret, user.id);
    const payload: ProvisioningPayload = {
      user: user.id,
      name: user.name,
      role: user.role,
      // A lead's bundle names the firms of today; the directory (GET /directory/me) adds later ones.
      tenants: servedTenants(directory, user).map((id) => ({ id, name: directory.tenants.find((t) => t.id === id)?.name ?? id })),
      pbxUrl: service.pbxUrl,
      sipDomain: serviceSipDomain(service),
      serverUrl: service.serverUrl,
      caCertificate: caPem,
      pkcs12: p12.toString('base64'),
      serial: issued.serial,
      notAfter: issued.notAfter.toISOString(),
      issuedAt: new Date().toISOString(),
      ...(service.stunUrls?.length ? { iceServers: [{ urls: service.stunUrls }] } : {}),
      ...(service.updateChannel ? { updateChannel: service.updateChannel } : {}),
    };
    writePrivate(out, serializeBundle(signBundle(payload, readFileSync(this.layout.caKey, 'utf8'))));
    const updated: DirectoryUserEntry = {
      ...user,
      certificates: [
        ...user.certificates,
        {
          serial: issued.serial,
          notBefore: issued.notBefore.toISOString(),
          notAfter: issued.notAfter.toISOString(),
          file: relative(this.layout.home, certFile),
        },
      ],
    };
    await this.saveDirectory({ ...directory, users: directory.users.map((u) => (u.id === user.id ? updated : u)) });
    return {
      user: updated,
      serial: issued.serial,
      notAfter: issued.notAfter,
      bundleFile: out,
      passphrase: secret,
      generatedPassphrase: passphrase === undefined,
    };
  }

  /** Revokes every unrevoked certificate of the user and rewrites the CRL. */
  async revokeUser(userId: string): Promise<string[]> {
    const { ca, directory, serials, certificates } = await this.revocation(userId);
    await this.saveDirectory({ ...directory, users: directory.users.map((u) => (u.id === userId ? { ...u, certificates } : u)) });
    await this.refreshCrl(ca);
    return serials;
  }

  /**
   * Takes the user out of the directory (teams, PBX, server) after revoking every certificate they
   * hold; the certificates move to `removedCertificates`, so the CRL keeps them. Returns the serials
   * revoked now.
   */
  async removeUser(userId: string): Promise<string[]> {
    const { ca, directory, serials, certificates } = await this.revocation(userId);
    await this.saveDirectory({
      ...directory,
      users: directory.users.filter((u) => u.id !== userId),
      removedCertificates: [...(directory.removedCertificates ?? []), ...certificates.map((c) => ({ ...c, user: userId }))],
    });
    await this.refreshCrl(ca);
    return serials;
  }

  /** The user's certificates with every unrevoked one revoked as of now, and the serials that were. */
  private async revocation(userId: string) {
    const ca = await this.loadCa();
    const directory = await this.directory();
    const user = directory.users.find((u) => u.id === userId);
    if (!user) throw new AdminFailure(`unknown user "${userId}"`);
    const now = new Date().toISOString();
    return {
      ca,
      directory,
      serials: user.certificates.filter((c) => !c.revokedAt).map((c) => c.serial),
      certificates: user.certificates.map((c) => (c.revokedAt ? c : { ...c, revokedAt: now })),
    };
  }
}
