import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';

/**
 * keytar for real: a private D-Bus session with gnome-keyring (TEST-STACK.md pitfall 8) and a
 * temporary HOME, so the developer's own keyring is never touched. The body runs in keytar-child.ts.
 */
const root = join(import.meta.dirname, '..', '..', '..');
const child = join(import.meta.dirname, 'keytar-child.ts');
let pki: PkiHome;
const homes: string[] = [];
beforeAll(async () => {
  pki = await createPkiHome({ users: [{ id: 'anna', name: 'Anna Schmidt', tenants: ['tischlerei'] }] });
}, 60_000);
afterAll(() => {
  pki.cleanup();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function inSession(script: string): Record<string, unknown> {
  const home = mkdtempSync(join(tmpdir(), 'vermittlung-keyring-home-'));
  homes.push(home);
  const anna = pki.users.anna!;
  const run = spawnSync(
    'dbus-run-session',
    ['--', 'sh', '-c', `${script} exec node --import tsx "$0" "$1" "$2"`, child, anna.bundleFile, anna.passphrase],
    {
      cwd: root,
      env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: home, XDG_DATA_HOME: join(home, '.local/share') },
      encoding: 'utf8',
      timeout: 90_000,
    },
  );
  const line = run.stdout.trim().split('\n').pop() ?? '';
  expect(line, run.stderr).toMatch(/^\{/);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('keytar secret store under gnome-keyring', () => {
  it('keeps the key in the unlocked keyring, reads it back, and deletes it on remove', () => {
    const result = inSession('echo -n test-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;');
    expect(result).toEqual({
      available: true,
      imported: 'active',
      storeKind: 'keytar',
      keyInKeychain: true,
      reloaded: 'active',
      tlsMatches: true,
      keyAfterRemove: false,
    });
  });

  it('refuses to import when there is no usable Secret Service, and writes nothing', () => {
    const result = inSession('');
    expect(result).toEqual({ available: false, imported: 'refused:keychain_unavailable', files: false });
  });
});
