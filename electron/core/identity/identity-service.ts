/**
 * The app's identity: the user's client certificate from the provisioning bundle, stored encrypted in
 * the profile, its key in the OS keychain.
 *
 * For other core services (PBX transport, sync client) — the whole interface:
 *
 *     await identity.ready();                  // once at start: reads and decrypts the stored identity
 *     identity.tlsOptions()                    // { pfx, passphrase, ca } for tls/https/ws, or undefined
 *                                              //   (none imported, expired, or unreadable: do not connect)
 *     identity.endpoints()                     // { pbxUrl, serverUrl } from the bundle, or undefined
 *     identity.summary()                       // user, name, role, tenants, notAfter, expiresSoon (no secrets)
 *     identity.onChange(() => …)               // after import and remove: reconnect or disconnect
 *
 * Storage: DIR/identity.json holds the summary, the CA and AES-256-GCM ciphertext of {PKCS#12,
 * passphrase}; the random 32-byte key lives in the first SecretStore that works (keytar, then
 * safeStorage). Where none does, import is refused: never plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HostError } from '../../../protocol/errors.js';
import { IdentitySummary, sipDomainFromPbxUrl, type IdentityStatus } from '../../../protocol/identity.js';
import type { Logger } from '../log/logger.js';
import { expiresSoon, openBundle } from './open-bundle.js';
import { firstAvailable, type SecretStore } from './secret-store.js';

export interface TlsOptions {
  pfx: Buffer;
  passphrase: string;
  ca: string;
}

export interface IdentityServiceOptions {
  /** The profile's identity directory (created on import). */
  dir: string;
  /** In order of preference; the first available keeps the key. */
  secretStores: SecretStore[];
  log: Logger;
  now?: () => Date;
  /** SHA-256 fingerprints of CAs this installation accepts (IT-pinned); empty accepts the bundle's CA. */
  pinnedCaSha256?: string[];
}

const Stored = z.object({
  version: z.literal(1),
  // identity.json files written before sipDomain existed lack it; summaryOf derives it then.
  summary: IdentitySummary.omit({ expiresSoon: true }).extend({ sipDomain: z.string().optional() }),
  caPem: z.string(),
  caSha256: z.string(),
  serial: z.string(),
  store: z.enum(['keytar', 'safe-storage', 'memory']),
  account: z.string(),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
});
type Stored = z.infer<typeof Stored>;

const Secret = z.object({ pkcs12: z.string(), passphrase: z.string() });

type Loaded =
  { state: 'none' } | { state: 'loaded'; stored: Stored; tls: TlsOptions } | { state: 'error'; code: string; message: string };

export class IdentityService {
  private readonly file: string;
  private loaded: Promise<Loaded> | undefined;
  private current: Loaded = { state: 'none' };
  private readonly listeners = new Set<() => void>();
  private readonly now: () => Date;

  constructor(private readonly options: IdentityServiceOptions) {
    this.file = join(options.dir, 'identity.json');
    this.now = options.now ?? (() => new Date());
  }

  /** Reads and decrypts the stored identity once; later calls return the same promise. */
  async ready(): Promise<void> {
    this.loaded ??= this.load().then((loaded) => (this.current = loaded));
    await this.loaded;
  }

  async status(): Promise<IdentityStatus> {
    await this.ready();
    const current = this.current;
    if (current.state === 'none') return { state: 'none' };
    if (current.state === 'error') return { state: 'error', code: current.code, message: current.message };
    const identity = this.summaryOf(current.stored);
    return Date.parse(identity.notAfter) <= this.now().getTime() ? { state: 'expired', identity } : { state: 'active', identity };
  }

  summary(): IdentitySummary | undefined {
    return this.current.state === 'loaded' ? this.summaryOf(this.current.stored) : undefined;
  }

  /** The client certificate for TLS; undefined when there is none or it has expired (no login attempts then). */
  tlsOptions(): TlsOptions | undefined {
    if (this.current.state !== 'loaded') return undefined;
    if (Date.parse(this.current.stored.summary.notAfter) <= this.now().getTime()) return undefined;
    const { pfx, passphrase, ca } = this.current.tls;
    return { pfx: Buffer.from(pfx), passphrase, ca };
  }

  endpoints(): { pbxUrl: string; serverUrl: string } | undefined {
    if (this.current.state !== 'loaded') return undefined;
    return { pbxUrl: this.current.stored.summary.pbxUrl, serverUrl: this.current.stored.summary.serverUrl };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async import(bundle: string, passphrase: string): Promise<IdentityStatus> {
    await this.ready();
    const opened = openBundle(bundle, passphrase, this.now(), this.options.pinnedCaSha256);
    const store = await firstAvailable(this.options.secretStores);
    if (!store) {
      throw new HostError('keychain_unavailable', 'no secret store gives real encryption here (keychain missing or locked)');
    }
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const secret = JSON.stringify({ pkcs12: opened.pfx.toString('base64'), passphrase });
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const { payload } = opened;
    const stored: Stored = {
      version: 1,
      summary: {
        user: payload.user,
        name: payload.name,
        role: payload.role,
        tenants: payload.tenants,
        notAfter: opened.notAfter.toISOString(),
        pbxUrl: payload.pbxUrl,
        sipDomain: payload.sipDomain ?? sipDomainFromPbxUrl(payload.pbxUrl),
        serverUrl: payload.serverUrl,
      },
      caPem: opened.caPem,
      caSha256: opened.caSha256,
      serial: payload.serial,
      store: store.kind,
      account: `identity-${randomBytes(8).toString('hex')}`,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    try {
      await store.set(stored.account, key);
    } catch (error) {
      throw new HostError('keychain_unavailable', `the keychain refused the key: ${(error as Error).message}`);
    }
    const previous = this.current;
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600 });
    renameSync(tmp, this.file);
    if (previous.state === 'loaded') await this.forgetKey(previous.stored);
    this.current = { state: 'loaded', stored, tls: { pfx: opened.pfx, passphrase, ca: opened.caPem } };
    this.loaded = Promise.resolve(this.current);
    this.options.log.info('identity imported', { user: payload.user, serial: payload.serial, store: store.kind });
    this.emit();
    return this.status();
  }

  /** Deletes the stored identity and its keychain entry; the profile keeps no key material. */
  async remove(): Promise<IdentityStatus> {
    await this.ready();
    const current = this.current;
    if (current.state === 'loaded') await this.forgetKey(current.stored);
    else if (existsSync(this.file)) {
      const stored = Stored.safeParse(safeJson(this.file));
      if (stored.success) await this.forgetKey(stored.data);
    }
    rmSync(this.file, { force: true });
    this.current = { state: 'none' };
    this.loaded = Promise.resolve(this.current);
    this.options.log.info('identity removed');
    this.emit();
    return { state: 'none' };
  }

  private summaryOf(stored: Stored): IdentitySummary {
    const { summary } = stored;
    const sipDomain = summary.sipDomain ?? sipDomainFromPbxUrl(summary.pbxUrl);
    return { ...summary, sipDomain, expiresSoon: expiresSoon(new Date(summary.notAfter), this.now()) };
  }

  private async forgetKey(stored: Stored): Promise<void> {
    const store = this.options.secretStores.find((s) => s.kind === stored.store);
    try {
      await store?.delete(stored.account);
    } catch (error) {
      this.options.log.warn('could not delete the keychain entry', { reason: (error as Error).message });
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private async load(): Promise<Loaded> {
    if (!existsSync(this.file)) return { state: 'none' };
    const parsed = Stored.safeParse(safeJson(this.file));
    if (!parsed.success) return this.unreadable('bundle_invalid', 'the stored identity file is damaged');
    const stored = parsed.data;
    const store = this.options.secretStores.find((s) => s.kind === stored.store);
    let key: Buffer | undefined;
    try {
      key = await store?.get(stored.account);
    } catch (error) {
      return this.unreadable('keychain_unavailable', `the keychain is not reachable: ${(error as Error).message}`);
    }
    if (!key) return this.unreadable('keychain_unavailable', `the key is missing from the ${stored.store} store`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(stored.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(stored.data, 'base64')), decipher.final()]).toString('utf8');
      const secret = Secret.parse(JSON.parse(plain));
      return {
        state: 'loaded',
        stored,
        tls: { pfx: Buffer.from(secret.pkcs12, 'base64'), passphrase: secret.passphrase, ca: stored.caPem },
      };
    } catch {
      return this.unreadable('bundle_invalid', 'the stored identity does not decrypt with the keychain key');
    }
  }

  private unreadable(code: string, message: string): Loaded {
    this.options.log.warn('stored identity unusable', { code, reason: message });
    return { state: 'error', code, message };
  }
}

function safeJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
