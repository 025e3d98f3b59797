import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLogger } from '../../electron/core/log/logger.js';
import { IdentityService } from '../../electron/core/identity/identity-service.js';
import { MemorySecretStore, type SecretStore } from '../../electron/core/identity/secret-store.js';

export function identityFixture(options: { stores?: SecretStore[]; now?: () => Date; pinned?: string[]; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'vermittlung-identity-'));
  const store = new MemorySecretStore();
  const stores = options.stores ?? [store];
  const make = () =>
    new IdentityService({
      dir: join(dir, 'identity'),
      secretStores: stores,
      log: new FileLogger(join(dir, 'logs'), 'test'),
      ...(options.now ? { now: options.now } : {}),
      ...(options.pinned ? { pinnedCaSha256: options.pinned } : {}),
    });
  return { dir, store, service: make(), make };
}
