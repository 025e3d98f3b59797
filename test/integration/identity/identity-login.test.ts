/**
 * The whole identity path through the product's own wiring: a provisioning bundle made by the admin
 * CLI is imported through the host API, and the same core then syncs with the real server using
 * the certificate inside it — no endpoint or certificate is handed to the core by the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/composition.js';
import { MemorySecretStore } from '../../../electron/core/identity/secret-store.js';
import { startSyncServer, type RunningServer } from '../../../server/server.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const ctx = { origin: 'test' };

describe('an imported identity logs in to the sync server', () => {
  let pki: PkiHome;
  let server: RunningServer;
  const cores: Core[] = [];
  const profiles: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    pki = await createPkiHome({ serverUrl: `https://127.0.0.1:${port}` });
    server = await startSyncServer({ home: pki.home, port, log: () => undefined });
  });
  afterAll(async () => {
    for (const core of cores) await core.close();
    await server?.close();
    pki?.cleanup();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  });

  async function coreFor(user: string): Promise<Core> {
    const profileDir = mkdtempSync(join(tmpdir(), `vermittlung-login-${user}-`));
    profiles.push(profileDir);
    const core = createCore({ profileDir, appVersion: 'test', shell: 'browser', secretStores: [new MemorySecretStore()] });
    cores.push(core);
    await core.identity.ready();
    const imported = await core.dispatch(
      'identity.import',
      { bundle: pki.users[user]!.bundle, passphrase: pki.users[user]!.passphrase },
      ctx,
    );
    expect(imported).toMatchObject({ ok: true });
    return core;
  }

  it('syncs with the certificate from the bundle and learns its firms from the server', async () => {
    const core = await coreFor('max');
    const status = await core.dispatch('sync.now', undefined, ctx);
    expect(status).toMatchObject({ ok: true, value: { state: 'online' } });
    // The firm's name arrives by pull, signed off by the server's directory, for max's tenant only.
    await expect
      .poll(async () => {
        const tenants = await core.dispatch('tenants.list', undefined, ctx);
        return tenants.ok ? (tenants.value as { name: string }[]).map((t) => t.name).sort() : [];
      })
      .toEqual(['Tischlerei Holzwurm']);
  });

  it('is refused once the certificate is revoked, and says so', async () => {
    const core = await coreFor('anna');
    expect(await core.dispatch('sync.now', undefined, ctx)).toMatchObject({ ok: true, value: { state: 'online' } });
    await pki.revoke('anna');
    await expect
      .poll(async () => {
        const status = await core.dispatch('sync.now', undefined, ctx);
        return status.ok ? (status.value as { state: string }).state : 'error';
      })
      .not.toBe('online');
  });
});
