import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../../../electron/core/composition.js';
import { defaultPolicyFile, readInstallPolicy } from '../../../../../electron/core/identity/install-policy.js';
import { MemorySecretStore } from '../../../../../electron/core/identity/secret-store.js';
import { createPkiHome, type PkiHome } from '../../../../helpers/pki.js';

const fingerprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

describe('IT pins the office CA for an installation', () => {
  let ours: PkiHome;
  let forged: PkiHome;
  const dirs: string[] = [];
  const tmp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-policy-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    // A forger can make a bundle that is consistent in itself: own CA, own signature.
    [ours, forged] = await Promise.all([createPkiHome(), createPkiHome()]);
  });
  afterAll(() => {
    ours?.cleanup();
    forged?.cleanup();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function importWith(policy: string | undefined, bundle: { bundle: string; passphrase: string }) {
    const dir = tmp();
    const policyFile = join(dir, 'policy.json');
    if (policy !== undefined) writeFileSync(policyFile, policy);
    const core = createCore({
      profileDir: join(dir, 'profile'),
      appVersion: 't',
      shell: 'browser',
      secretStores: [new MemorySecretStore()],
      policyFile,
    });
    await core.identity.ready();
    const result = await core.dispatch('identity.import', bundle, { origin: 'test' });
    await core.close();
    return result;
  }

  it('refuses a self-consistent bundle from another CA and accepts the pinned one', async () => {
    const policy = JSON.stringify({ pinnedCaSha256: [fingerprint(ours.caPem)] });
    const annaForged = forged.users.anna!;
    expect(await importWith(policy, { bundle: annaForged.bundle, passphrase: annaForged.passphrase })).toMatchObject({
      ok: false,
      error: { code: 'certificate_untrusted' },
    });
    const anna = ours.users.anna!;
    expect(await importWith(policy, { bundle: anna.bundle, passphrase: anna.passphrase })).toMatchObject({ ok: true });
  });

  it('without a policy file, trusts the CA inside the bundle (the PBX and server still check it)', async () => {
    const annaForged = forged.users.anna!;
    expect(await importWith(undefined, { bundle: annaForged.bundle, passphrase: annaForged.passphrase })).toMatchObject({
      ok: true,
    });
  });

  it('refuses every bundle when the policy file is broken, instead of running unlocked', async () => {
    const anna = ours.users.anna!;
    for (const broken of ['{ not json', '{"pinnedCaSha256": ["ABC"]}', '{"pins": []}']) {
      expect(await importWith(broken, { bundle: anna.bundle, passphrase: anna.passphrase })).toMatchObject({
        ok: false,
        error: { code: 'certificate_untrusted' },
      });
    }
  });

  it('reads pins from the environment too, and knows where each OS keeps the file', () => {
    const pin = fingerprint(ours.caPem);
    expect(readInstallPolicy(join(tmp(), 'absent.json'), { VERMITTLUNG_PINNED_CA_SHA256: ` ${pin.toUpperCase()} ` })).toEqual({
      pinnedCaSha256: [pin],
    });
    expect(defaultPolicyFile('linux')).toBe('/etc/vermittlung/policy.json');
    expect(defaultPolicyFile('win32', { ProgramData: 'D:\\PD' })).toMatch(/^D:\\PD.Vermittlung.policy\.json$/);
  });
});
