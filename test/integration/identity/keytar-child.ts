/**
 * Runs inside `dbus-run-session` with an unlocked gnome-keyring (keytar.test.ts): imports a bundle
 * with keytar as the only secret store, reads it back in a fresh service, removes it, and prints
 * what it saw as one JSON line.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityService } from '../../../electron/core/identity/identity-service.js';
import { KeytarSecretStore } from '../../../electron/core/identity/keytar-store.js';
import { FileLogger } from '../../../electron/core/log/logger.js';

const [bundleFile, passphrase] = process.argv.slice(2) as [string, string];
const dir = mkdtempSync(join(tmpdir(), 'vermittlung-keytar-'));
const service = 'Vermittlung-test';
const store = new KeytarSecretStore(service);
const make = () => new IdentityService({ dir, secretStores: [store], log: new FileLogger(join(dir, 'logs'), 'keytar') });
const available = await store.available();
const first = make();
const imported = await first.import(readFileSync(bundleFile, 'utf8'), passphrase).then(
  (s) => s.state,
  (e: Error & { code?: string }) => `refused:${e.code ?? e.message}`,
);
if (imported !== 'active') {
  process.stdout.write(JSON.stringify({ available, imported, files: existsSync(join(dir, 'identity.json')) }) + '\n');
  process.exit(0);
}
const stored = JSON.parse(readFileSync(join(dir, 'identity.json'), 'utf8')) as { account: string; store: string };
const keytar = (await import('keytar')).default;
const keyInKeychain = (await keytar.getPassword(service, stored.account)) !== null;
const second = make();
const reloaded = (await second.status()).state;
const tlsMatches = second.tlsOptions()?.passphrase === passphrase;
await second.remove();
const keyAfterRemove = (await keytar.getPassword(service, stored.account)) !== null;
process.stdout.write(
  JSON.stringify({ available, imported, storeKind: stored.store, keyInKeychain, reloaded, tlsMatches, keyAfterRemove }) + '\n',
);
