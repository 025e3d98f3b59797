import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../../electron/core/composition.js';
import { MemorySecretStore } from '../../../../electron/core/identity/secret-store.js';
import { createPkiHome, type PkiHome } from '../../../helpers/pki.js';

let pki: PkiHome;
beforeAll(async () => {
  pki = await createPkiHome({ users: [{ id: 'anna', name: 'Anna Schmidt', tenants: ['tischlerei'] }] });
}, 60_000);
afterAll(() => pki.cleanup());

describe('identity host API', () => {
  it('never returns or emits the passphrase, key, certificate PEM or PKCS#12 after import', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'vermittlung-identity-api-'));
    const core = createCore({ profileDir, appVersion: '1.0.0', shell: 'browser', secretStores: [new MemorySecretStore()] });
    const outputs: unknown[] = [];
    core.events.subscribe((event) => outputs.push(event));
    const ctx = { origin: 'test' };
    const anna = pki.users.anna!;
    const call = async (method: string, input?: unknown) => {
      const result = await core.dispatch(method, input, ctx);
      outputs.push(result);
      return result;
    };

    expect(await call('identity.status')).toEqual({ ok: true, value: { state: 'none' } });
    expect(await call('identity.import', { bundle: anna.bundle, passphrase: 'falsch-falsch' })).toMatchObject({
      ok: false,
      error: { code: 'wrong_passphrase' },
    });
    expect(await call('identity.import', { bundle: anna.bundle.slice(0, 500), passphrase: anna.passphrase })).toMatchObject({
      ok: false,
      error: { code: 'bundle_invalid' },
    });
    expect(await call('identity.import', { bundle: anna.bundle, passphrase: anna.passphrase })).toMatchObject({
      ok: true,
      value: { state: 'active', identity: { user: 'anna', tenants: [{ id: 'tischlerei', name: 'Tischlerei Holzwurm' }] } },
    });
    expect(await call('identity.status')).toMatchObject({ ok: true, value: { state: 'active' } });
    expect(await call('identity.import', { bundle: 'x'.repeat(300 * 1024), passphrase: 'p' })).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'input.bundle' },
    });
    expect(core.identity.tlsOptions()?.passphrase).toBe(anna.passphrase);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outputs.some((o) => (o as { event?: string }).event === 'identity.changed')).toBe(true);
    expect(await call('identity.remove')).toEqual({ ok: true, value: { state: 'none' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await core.close();

    const logs = readdirSync(join(profileDir, 'logs')).map((f) => readFileSync(join(profileDir, 'logs', f), 'utf8'));
    const text = JSON.stringify(outputs) + logs.join('\n');
    expect(outputs.length).toBeGreaterThan(7);
    for (const secret of [
      'PRIVATE KEY',
      'BEGIN',
      anna.passphrase,
      anna.payload.pkcs12.slice(0, 40),
      anna.payload.pkcs12.slice(-40),
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
