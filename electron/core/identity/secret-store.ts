/**
 * Where the random key that encrypts the stored identity lives. One small interface so the archived
 * keytar can be swapped out: keytar (OS keychain), Electron safeStorage (adapter from electron/main),
 * and an in-memory store for unit tests only. A store that cannot give real encryption must say
 * `available() === false` rather than fall back to plaintext.
 */
export interface SecretStore {
  /** Recorded with the identity so it is read back from the same place. */
  readonly kind: 'keytar' | 'safe-storage' | 'memory';
  /** Whether this store can keep a secret here and now (keychain reachable and unlocked, …). */
  available(): Promise<boolean>;
  get(account: string): Promise<Buffer | undefined>;
  set(account: string, secret: Buffer): Promise<void>;
  delete(account: string): Promise<void>;
}

/** For unit tests: keeps secrets in this process only. Never wired into a real app. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly secrets = new Map<string, Buffer>();
  constructor(private readonly isAvailable = true) {}
  available(): Promise<boolean> {
    return Promise.resolve(this.isAvailable);
  }
  get(account: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.secrets.get(account));
  }
  set(account: string, secret: Buffer): Promise<void> {
    this.secrets.set(account, Buffer.from(secret));
    return Promise.resolve();
  }
  delete(account: string): Promise<void> {
    this.secrets.delete(account);
    return Promise.resolve();
  }
  /** Test hook: how many secrets are held. */
  get size(): number {
    return this.secrets.size;
  }
}

/** The first store that works here, in order of preference; undefined when none does. */
export async function firstAvailable(stores: SecretStore[]): Promise<SecretStore | undefined> {
  for (const store of stores) {
    if (await store.available().catch(() => false)) return store;
  }
  return undefined;
}
