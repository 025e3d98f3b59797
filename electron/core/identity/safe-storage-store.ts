import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from './secret-store.js';

/**
 * What electron/main hands the core of Electron's safeStorage (electron/main/safe-storage.ts); the
 * core never imports electron itself.
 */
export interface SafeStoragePort {
  isEncryptionAvailable(): boolean;
  /** Linux only: 'basic_text' means a hard-coded key — no real protection. Undefined elsewhere. */
  selectedBackend(): string | undefined;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Electron safeStorage as a secret store: the secret is encrypted with the OS-protected key and the
 * ciphertext kept in a file beside the identity. Refuses the `basic_text` backend, whose "encryption"
 * uses a constant key.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'safe-storage' as const;
  constructor(
    private readonly port: SafeStoragePort,
    private readonly dir: string,
  ) {}

  available(): Promise<boolean> {
    try {
      const backend = this.port.selectedBackend();
      return Promise.resolve(this.port.isEncryptionAvailable() && backend !== 'basic_text' && backend !== 'unknown');
    } catch {
      return Promise.resolve(false);
    }
  }

  private file(account: string): string {
    return join(this.dir, `${account.replace(/[^a-zA-Z0-9_-]/g, '_')}.safe`);
  }

  get(account: string): Promise<Buffer | undefined> {
    const file = this.file(account);
    if (!existsSync(file)) return Promise.resolve(undefined);
    return Promise.resolve(Buffer.from(this.port.decryptString(readFileSync(file)), 'base64'));
  }

  set(account: string, secret: Buffer): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(account);
    writeFileSync(`${file}.tmp`, this.port.encryptString(secret.toString('base64')), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return Promise.resolve();
  }

  delete(account: string): Promise<void> {
    rmSync(this.file(account), { force: true });
    return Promise.resolve();
  }
}
