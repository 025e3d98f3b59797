import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/composition.js';
import { directoryHandlers } from '../../../electron/core/directory/directory-handlers.js';
import { FileLogger } from '../../../electron/core/log/logger.js';
import { LocalStore } from '../../../electron/core/store/store.js';
import type { DirectoryMe } from '../../../protocol/index.js';
import { syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

// directory.me through the core's host API against the real sync server (PGlite), with the
// user's client certificate: the team view's list of people.
let fixture: SyncFixture;
let core: Core;
let profileDir: string;
let serverUp = true;

beforeAll(async () => {
  fixture = await syncFixture('pglite');
  profileDir = mkdtempSync(join(tmpdir(), 'vermittlung-directory-'));
  core = createCore({
    profileDir,
    appVersion: '0.0.0-test',
    shell: 'browser',
    syncEndpoint: () =>
      serverUp ? { url: fixture.url, tls: fixture.tls('carl') } : { url: 'https://127.0.0.1:1', tls: fixture.tls('carl') },
  });
}, 60_000);

afterAll(async () => {
  await core?.close();
  await fixture?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function me(): Promise<DirectoryMe | undefined> {
  const result = await core.dispatch('directory.me', undefined, { origin: 'test' });
  return result.ok ? (result.value as DirectoryMe) : undefined;
}

describe('directory.me', () => {
  it("answers the caller's tenants (with hours) and the colleagues sharing one", async () => {
    const value = await me();
    expect(value).toBeDefined();
    expect(value!.user).toMatchObject({ id: 'carl', role: 'craftsman' });
    expect(value!.tenants.map((t) => [t.id, t.hours])).toEqual([['tischlerei', 'Di 8–12']]);
    expect(value!.colleagues.map((c) => c.id).sort()).toEqual(['anna', 'ben']);
  });

  it('serves the last answer while the server is unreachable', async () => {
    serverUp = false;
    const value = await me();
    serverUp = true;
    expect(value?.colleagues).toHaveLength(2);
  });

  it('seeds the firms into the caller lookup, so a call before the first sync pull still finds its firm', async () => {
    // The same wiring as the composition root, on a store that has not synced anything.
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-directory-seed-'));
    const store = LocalStore.open(join(dir, 'vermittlung.db'));
    try {
      const handlers = directoryHandlers({
        endpoint: () => ({ url: fixture.url, tls: fixture.tls('carl') }),
        log: new FileLogger(dir),
        onLoaded: (loaded) => store.lookup.seedTenants(loaded.tenants),
      });
      expect(store.lookup.tenantByNumber('030 111')).toBeNull();
      await handlers['directory.me'](undefined, { origin: 'test' });
      expect(store.lookup.tenantByNumber('030 111')).toMatchObject({ tenant: 'tischlerei', hours: 'Di 8–12' });
      expect(store.lookup.tenantByNumber('+4930222')).toBeNull(); // carl does not serve the plumber
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
