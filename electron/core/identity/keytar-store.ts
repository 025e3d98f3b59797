import type { SecretStore } from './secret-store.js';
import { runtimeRequire } from '../runtime-require.js';

/** The subset of keytar we use; keytar stores strings, so secrets travel as base64. */
interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export const KEYTAR_SERVICE = 'Vermittlung';

/**
 * The OS keychain through keytar (Windows Credential Manager, macOS Keychain, Secret Service on
 * Linux). keytar is archived and native: it is loaded lazily and any failure to load or to reach the
 * keychain makes the store unavailable instead of crashing the app.
 */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keytar' as const;
  private loaded: Promise<Keytar | undefined> | undefined;
  constructor(
    private readonly service = KEYTAR_SERVICE,
    private readonly load: () => Promise<unknown> = () => Promise.resolve().then((): unknown => runtimeRequire('keytar')),
  ) {}

  private keytar(): Promise<Keytar | undefined> {
    this.loaded ??= this.load().then(
      (mod) => {
        // A test may hand in an ES module namespace, whose CommonJS functions sit on `default`.
        const m = mod as Partial<Keytar> & { default?: Keytar };
        const api = m.default ?? m;
        return typeof api.setPassword === 'function' && typeof api.getPassword === 'function' ? (api as Keytar) : undefined;
      },
      () => undefined,
    );
    return this.loaded;
  }

  /** A real round trip: on Linux, a missing or locked Secret Service only shows when writing. */
  async available(): Promise<boolean> {
    const keytar = await this.keytar();
    if (!keytar) return false;
    try {
      const probe = `probe-${process.pid}-${Date.now()}`;
      await keytar.setPassword(this.service, probe, 'probe');
      const read = await keytar.getPassword(this.service, probe);
      await keytar.deletePassword(this.service, probe);
      return read === 'probe';
    } catch {
      return false;
    }
  }

  async get(account: string): Promise<Buffer | undefined> {
    const value = await (await this.required()).getPassword(this.service, account);
    return value === null ? undefined : Buffer.from(value, 'base64');
  }

  async set(account: string, secret: Buffer): Promise<void> {
    await (await this.required()).setPassword(this.service, account, secret.toString('base64'));
  }

  async delete(account: string): Promise<void> {
    await (await this.required()).deletePassword(this.service, account);
  }

  private async required(): Promise<Keytar> {
    const keytar = await this.keytar();
    if (!keytar) throw new Error('keytar is not available');
    return keytar;
  }
}
