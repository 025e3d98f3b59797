/**
 * One app's main-process side (core + browser shell) in its own process, as in the real app, for
 * `startPhoneRig({ ownProcesses: true })`: with several cores in the test process, one app's
 * synchronous store commit (fsync) would hold up another app's SIP messages. Prints
 * `phone core ready URL` on stdout; SIGTERM closes it.
 *   tsx test/helpers/phone-core-main.ts PROFILE_DIR RENDERER_DIR PBX_URL PFX_FILE PASSPHRASE CA_FILE
 */
import { readFileSync } from 'node:fs';
import { startBrowserShell } from '../../electron/browser-shell/server.js';
import { createCore } from '../../electron/core/composition.js';

const [profileDir, rendererDir, url, pfxFile, passphrase, caFile] = process.argv.slice(2);
const tls = { pfx: readFileSync(pfxFile!), passphrase: passphrase!, ca: readFileSync(caFile!, 'utf8') };
const core = createCore({
  profileDir: profileDir!,
  appVersion: '0.0.0-test',
  shell: 'browser',
  pbxEndpoint: () => ({ url: url!, tls }),
});
const shell = await startBrowserShell({ core, rendererDir: rendererDir!, port: 0 });
process.stdout.write(`phone core ready ${shell.url}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await shell.close();
    await core.close();
    process.exit(0);
  })();
});
