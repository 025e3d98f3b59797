/**
 * Creates the demo office with the admin CLI's own commands (the same code `npm run admin` runs):
 * the CA and TLS certificate with URLs on free loopback ports, the three firms with numbers,
 * greetings and their week (`tenant hours`, written while the server is stopped, as PGlite needs), and
 * the three people with their provisioning bundles. Half-made offices are thrown away and made again.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { freePort } from '../../pbx/daemons.js';
import { runAdmin } from '../../server/admin/commands.js';
import { writeState, type DemoPaths, type DemoState } from './home.js';
import { bundlePath } from './office-files.js';
import { FIRMS, PEOPLE, type DemoFirm } from './office.js';

/** The firm's contract with the office from the first of this month, so the demo's calls are metered. */
async function setContract(paths: DemoPaths, firm: DemoFirm): Promise<void> {
  const from = `${new Date().toISOString().slice(0, 7)}-01`;
  await runAdmin(['tenant', 'contract', firm.id, '--home', paths.office, '--from', from, ...firm.contract]);
}

export async function setupOffice(paths: DemoPaths, say: (line: string) => void): Promise<DemoState> {
  rmSync(paths.office, { recursive: true, force: true });
  rmSync(paths.bundles, { recursive: true, force: true });
  mkdirSync(paths.bundles, { recursive: true, mode: 0o700 });
  const [wss, server, feed] = [await freePort('both'), await freePort('tcp'), await freePort('tcp')];
  const home = ['--home', paths.office];
  await runAdmin([
    'ca',
    'init',
    ...home,
    '--ca-name',
    'Büroservice Demo CA',
    '--pbx-url',
    `wss://127.0.0.1:${wss}/`,
    '--server-url',
    `https://127.0.0.1:${server}/`,
    '--calendar-url',
    `https://127.0.0.1:${feed}/`,
  ]);
  say('Büro-CA und TLS-Zertifikat erstellt');
  for (const firm of FIRMS) {
    await runAdmin([
      'tenant',
      'add',
      firm.id,
      '--name',
      firm.name,
      '--number',
      firm.number,
      '--mobile',
      firm.mobile,
      '--greeting',
      firm.greeting,
      ...home,
    ]);
    await runAdmin([
      'tenant',
      'hours',
      firm.id,
      ...home,
      '--bundesland',
      firm.bundesland,
      ...firm.hours.flatMap((day) => ['--day', day]),
      '--emergency',
      firm.mobile,
      '--emergency-day',
      'Sa 08:00-14:00',
      // The demo office answers around the clock, so a customer's call rings whenever someone tries it;
      // "Ausnahme aufheben" in Max's app brings his week back into force.
      '--override',
      'service',
      '--override-reason',
      'Demo: das Büro ist rund um die Uhr besetzt',
    ]);
    await setContract(paths, firm);
    say(`Firma ${firm.name} (${firm.bundesland}, ${firm.number}) angelegt`);
  }
  const passphrases: Record<string, string> = {};
  for (const person of PEOPLE) {
    const passphrase = randomBytes(12).toString('base64url');
    passphrases[person.id] = passphrase;
    await runAdmin([
      'user',
      'add',
      person.id,
      '--name',
      person.name,
      '--role',
      person.role,
      ...person.tenants.flatMap((t) => ['--tenant', t]),
      ...home,
      '--out',
      bundlePath(paths, person.id),
      '--passphrase',
      passphrase,
    ]);
    say(`${person.desk}: Zugang (Bundle + Passphrase) ausgestellt`);
  }
  const state: DemoState = {
    version: 1,
    ports: { wss, server, feed },
    passphrases,
    contactsImported: false,
    notesSeeded: false,
    createdAt: new Date().toISOString(),
  };
  writeState(paths, state);
  return state;
}
