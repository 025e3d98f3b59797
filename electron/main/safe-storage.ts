import { safeStorage } from 'electron';
import type { SafeStoragePort } from '../core/identity/safe-storage-store.js';

/**
 * Electron's safeStorage for the identity service's secret store. On Linux the backend tells whether
 * the key is really protected (libsecret/kwallet) or a constant (`basic_text`); the store refuses the
 * latter. Only available after app `ready`.
 */
export function electronSafeStorage(): SafeStoragePort {
  return {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    selectedBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined),
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  };
}
