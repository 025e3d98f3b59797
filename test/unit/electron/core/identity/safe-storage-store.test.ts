import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafeStorageSecretStore, type SafeStoragePort } from '../../../../../electron/core/identity/safe-storage-store.js';
import { firstAvailable, MemorySecretStore } from '../../../../../electron/core/identity/secret-store.js';

/** Electron's binary is not installed here: the port stands in for safeStorage's contract only. */
function port(backend: string | undefined, available = true): SafeStoragePort {
  const flip = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    isEncryptionAvailable: () => available,
    selectedBackend: () => backend,
    encryptString: (plain) => flip(Buffer.from(`enc:${plain}`)),
    decryptString: (data) => flip(data).toString().replace(/^enc:/, ''),
  };
}

describe('safeStorage secret store', () => {
  it('refuses the basic_text backend and unavailable encryption', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-safe-'));
    expect(await new SafeStorageSecretStore(port('basic_text'), dir).available()).toBe(false);
    expect(await new SafeStorageSecretStore(port('gnome_libsecret', false), dir).available()).toBe(false);
    expect(await new SafeStorageSecretStore(port('gnome_libsecret'), dir).available()).toBe(true);
    expect(await new SafeStorageSecretStore(port(undefined), dir).available()).toBe(true);
  });

  it('keeps only the encrypted secret on disk and deletes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-safe-'));
    const store = new SafeStorageSecretStore(port('kwallet5'), dir);
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    await store.set('identity-1', secret);
    const files = readdirSync(dir);
    expect(files).toEqual(['identity-1.safe']);
    expect(readFileSync(join(dir, files[0]!)).toString()).not.toContain(secret.toString('base64'));
    expect((await store.get('identity-1'))?.equals(secret)).toBe(true);
    await store.delete('identity-1');
    expect(await store.get('identity-1')).toBeUndefined();
  });

  it('picks the first available store in order of preference', async () => {
    const off = new MemorySecretStore(false);
    const safe = new SafeStorageSecretStore(port('basic_text'), mkdtempSync(join(tmpdir(), 'vermittlung-safe-')));
    const on = new MemorySecretStore(true);
    expect(await firstAvailable([off, safe, on])).toBe(on);
    expect(await firstAvailable([off, safe])).toBeUndefined();
  });
});
