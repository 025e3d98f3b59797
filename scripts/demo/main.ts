/**
 * `npm run demo [-- --home DIR] [--no-open]`: a whole office on this machine. Creates (or reuses) the
 * demo home, starts the stack, sets up each person's app profile through the app's own onboarding,
 * opens the teleworker's and the craftsman's desks and a control page for the customer's calls.
 * Ctrl-C stops every process it started, by PID. Exit codes: 0 stopped, 1 failed, 3 packages missing.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MissingPackageError, startStack, type Stack } from '../../pbx/stack-runner.js';
import { Calls, CONTROL_ACTIONS } from './calls.js';
import type { Child } from './children.js';
import { startControl, type Control } from './control.js';
import { connectSync, electronBinary, onboard, startDeskShell, startElectronDesk, type DeskShell } from './desks.js';
import { alive, defaultDemoHome, demoPaths, readRun, readState, writeRun, writeState } from './home.js';
import { startDemoKeychain, type DemoKeychain } from './keychain.js';
import { PEOPLE } from './office.js';
import { missingPackages, missingPackagesMessage } from './packages.js';
import { ensureRenderer } from './renderer-build.js';
import { reapStaleRun } from './stale.js';
import { importFirmContacts, seedEarlierNotes } from './seed.js';
import { bundlePath, officeComplete } from './office-files.js';

const startedAt = Date.now();
const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    'auto-every': { type: 'string' },
  },
});
const paths = demoPaths(values.home ?? defaultDemoHome());
const say = (line: string) => {
  console.log(line);
  try {
    appendFileSync(`${paths.logs}/demo.log`, `${new Date().toISOString()} ${line}\n`);
  } catch {
    // the log directory does not exist before the first step
  }
};

const missing = missingPackages();
if (missing.length > 0) {
  console.error(missingPackagesMessage(missing));
  process.exit(3);
}
const running = readRun(paths);
if (running && running.pid !== process.pid && alive(running.pid)) {
  console.error(`Die Demo läuft schon in ${paths.root} (PID ${running.pid}); Steuerung: ${running.control}`);
  process.exit(1);
}
mkdirSync(paths.logs, { recursive: true });
mkdirSync(paths.run, { recursive: true });

/** Everything started, stopped on Ctrl-C, on SIGTERM or when a step fails (in STOP_ORDER). */
const cleanups: { name: string; stop: () => Promise<void> }[] = [];
/** The apps stop first (their last sync still reaches the server), then the stack, the keychain last. */
const STOP_ORDER = ['electron', 'desk', 'stack', 'keychain'];
const rank = (name: string) => STOP_ORDER.findIndex((prefix) => name.startsWith(prefix));
const pids: Record<string, number> = { demo: process.pid };
let keychain: DemoKeychain | undefined;
let control: Control | undefined;
let calls: Calls | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  // A second Ctrl-C (or a SIGTERM after it) must not cut the first clean-up short.
  if (stopping) return;
  stopping = true;
  console.log('\nDemo wird beendet …');
  await control?.close().catch(() => undefined);
  await calls?.hangupAll('Demo beendet').catch(() => undefined);
  await Promise.all(pending);
  for (let r = 0; r < STOP_ORDER.length; r++) {
    await Promise.all(
      cleanups
        .filter((c) => rank(c.name) === r)
        .map(({ name, stop }) => stop().catch((error: Error) => console.error(`${name}: ${error.message}`))),
    );
  }
  rmSync(paths.runFile, { force: true });
  console.log(`Alle Prozesse der Demo sind beendet. Das Demo-Büro bleibt in ${paths.root}`);
  console.log(`(nächster Start in Sekunden: npm run demo${values.home ? ` -- --home ${paths.root}` : ''}).`);
  console.log(`Entfernen: rm -rf ${paths.root}`);
  if (keychain?.kind === 'session')
    console.log('Die Schlüssel der drei Demo-Zugänge liegen im Schlüsselbund (Dienst „Vermittlung“, Konten identity-…).');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function open(url: string): void {
  if (values['no-open'] || process.env.CI !== undefined || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) return;
  const opener = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  opener.on('error', () => undefined);
  opener.unref();
}

/** run/demo.json: this run's PID (the lock), every PID it started so far, and once ready its URLs. */
function publish(ready?: { stack: Stack; desks: Record<string, string> }): void {
  writeRun(paths, {
    pid: process.pid,
    pids,
    desks: ready?.desks ?? {},
    control: control?.url ?? '',
    stack: ready?.stack.layout.stackFile ?? '',
    readyAt: ready ? new Date().toISOString() : '',
  });
}

/** Starts still under way when a step fails: waited for, so whatever they started is stopped too. */
const pending: Promise<unknown>[] = [];
function started<T>(
  name: string,
  start: Promise<T>,
  stop: (value: T) => Promise<void>,
  pidsOf: (value: T) => Record<string, number>,
): Promise<T> {
  const tracked = start.then((value) => {
    cleanups.push({ name, stop: () => stop(value) });
    // Recorded at once, so a run killed outright can be cleaned up by the next (stale.ts).
    Object.assign(pids, pidsOf(value));
    if (!stopping) publish();
    return value;
  });
  pending.push(tracked.catch(() => undefined));
  return tracked;
}

const reaped = await reapStaleRun(paths);
if (reaped.length > 0) say(`Von einem abgebrochenen Lauf übrig und jetzt beendet: ${reaped.join(', ')}`);
publish();

try {
  ensureRenderer(say);
  let state = readState(paths);
  const fresh = !officeComplete(paths, state);
  if (fresh) say(`Neues Demo-Büro in ${paths.root}`);
  // Profiles from a run that stopped before its import finished start over (the identities come back from the bundles).
  if (fresh || !state?.contactsImported) rmSync(paths.profiles, { recursive: true, force: true });
  if (!fresh) {
    say(`Demo-Büro aus ${paths.root} wird wiederverwendet`);
  }

  keychain = await started(
    'keychain',
    startDemoKeychain(paths.keyring, state?.keychain),
    (kc) => kc.stop(),
    (kc) => kc.pids,
  );
  const kc = keychain;
  if (kc.kind === 'private')
    say(
      'Kein Schlüsselbund in dieser Sitzung: die Demo startet einen eigenen (gnome-keyring auf einem eigenen D-Bus, ' +
        `Dateien in ${paths.keyring}). Die App legt Schlüssel nur in einem echten Schlüsselbund ab, nie im Klartext.`,
    );

  // The app processes start while the office is made: they need nothing of it until the onboarding.
  const desksStarting = Promise.all(
    PEOPLE.map((person) =>
      started(
        `desk ${person.id}`,
        startDeskShell(paths, person, kc.env),
        (desk) => desk.proc.stop(),
        (desk) => ({ [`desk-${person.id}`]: desk.proc.pid }),
      ),
    ),
  );
  pending.push(desksStarting.catch(() => undefined));
  // The contacts go in from the teleworker's app while the office is made (the import needs no identity).
  let done = { contactsImported: state?.contactsImported ?? false, notesSeeded: state?.notesSeeded ?? false };
  const seeding = (async () => {
    const teleworker = (await desksStarting).find((d) => d.person.role === 'teleworker')!;
    if (!done.contactsImported) {
      await importFirmContacts(teleworker, say);
      done = { ...done, contactsImported: true };
    }
    if (!done.notesSeeded) {
      await seedEarlierNotes(teleworker, say);
      done = { ...done, notesSeeded: true };
    }
  })();
  pending.push(seeding.catch(() => undefined));
  // The admin CLI (and PGlite with it) is loaded only when an office is to be made: a warm start skips it.
  if (fresh) state = await (await import('./setup-office.js')).setupOffice(paths, say);
  if (!state) throw new Error('the demo office is incomplete');
  if (state.keychain !== kc.kind) writeState(paths, (state = { ...state, keychain: kc.kind }));
  // The stack starts as soon as the office exists, while the apps start, take their identities and import
  // the contacts; their sync reaches the server once it is up.
  const stackStarting = started(
    'stack',
    startStack({
      home: paths.office,
      wssPort: state.ports.wss,
      serverPort: state.ports.server,
      feedPort: state.ports.feed,
      // Outside calls come from 127.0.0.1 only, as from a carrier's trunk (docs/pbx.md, rule 11).
      udpPeers: ['127.0.0.1'],
      log: (line) => appendFileSync(`${paths.logs}/stack.log`, `${new Date().toISOString()} ${line}\n`),
    }),
    (stack) => stack.stop(),
    ({ info }) => ({
      kamailio: info.pids.kamailio,
      rtpengine: info.pids.rtpengine,
      ...(info.pids.server ? { server: info.pids.server } : {}),
    }),
  );
  const desks: DeskShell[] = await desksStarting;
  const passphrases = state.passphrases;
  await Promise.all(
    desks.map(async (desk) => {
      const bundle = readFileSync(bundlePath(paths, desk.person.id), 'utf8');
      if (await onboard(desk, bundle, passphrases[desk.person.id]!))
        say(`${desk.person.desk}: Zugang eingerichtet (Bundle und Passphrase, Schlüssel im Schlüsselbund)`);
    }),
  );

  const [stack] = await Promise.all([stackStarting, seeding]);
  writeState(paths, (state = { ...state, ...done }));
  say(`Telefonanlage und Server laufen (${stack.info.pbxWss}, ${stack.info.server ?? 'ohne Server'})`);
  const offline = await connectSync(desks);
  if (offline.length > 0) say(`Noch keine Verbindung zum Server: ${offline.join(', ')} (wird weiter versucht)`);

  const electron = await electronBinary();
  const links: Record<string, string> = {};
  for (const desk of desks) {
    if (electron && desk.person.open) {
      // One app per profile: the browser shell that did the set-up gives the profile to Electron.
      await desk.proc.stop();
      const window: Child = await startElectronDesk(paths, desk.person, electron, kc.env);
      cleanups.push({ name: `electron ${desk.person.id}`, stop: () => window.stop() });
      pids[`electron-${desk.person.id}`] = window.pid;
      links[desk.person.id] = `electron:${desk.profile}`;
    } else {
      links[desk.person.id] = desk.url;
    }
  }

  const sipDomain = stack.info.sipDomain;
  const activeCalls = new Calls(paths.speech, {
    workDir: paths.run,
    logDir: paths.logs,
    sipDomain,
    pbxUdpPort: stack.info.ports.udp,
    onChange: (call) => {
      if (call.state === 'ended') delete pids[`customer-${call.plan.id}`];
      else pids[`customer-${call.plan.id}`] = call.pid;
      if (!stopping) publish({ stack, desks: links });
      say(
        `Anruf ${call.plan.id} (${call.plan.firmName}, ${call.plan.knownAs ?? 'unbekannt'} ${call.plan.from}): ${call.state}${call.ending ? ` – ${call.ending}` : ''}`,
      );
    },
  });
  calls = activeCalls;
  control = await startControl({
    actions: CONTROL_ACTIONS,
    call: async (firm, caller) => void (await activeCalls.place(firm, caller)),
    hangupAll: () => activeCalls.hangupAll(),
    calls: () => activeCalls.list(),
    autoEveryMs: values['auto-every'] ? Number(values['auto-every']) * 1000 : undefined,
    onStop: () => void shutdown(0),
    say,
  });
  publish({ stack, desks: links });

  console.log('');
  for (const desk of desks) {
    const where = links[desk.person.id]!;
    console.log(`${desk.person.desk}:\n  ${where.startsWith('electron:') ? 'Electron-Fenster' : where}`);
    if (desk.person.open && !where.startsWith('electron:')) open(where);
  }
  console.log(`Der Kunde (Steuerung):\n  ${control.url}`);
  open(control.url);
  console.log('');
  for (const action of CONTROL_ACTIONS) console.log(`  ${action.key} = ${action.label}`);
  console.log('  a = alle 2 Minuten ein Anruf (an/aus)\n  h = Kunde legt auf\n  Strg-C = Demo beenden');
  say(`Demo bereit nach ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  // The voices are made now, so the first call does not wait for espeak-ng.
  for (const action of CONTROL_ACTIONS) activeCalls.voice(action.firm);
} catch (error) {
  const message = error instanceof MissingPackageError ? missingPackagesMessage([error.message]) : (error as Error).message;
  console.error(`Die Demo konnte nicht starten: ${message}\n(Protokolle: ${paths.logs})`);
  await shutdown(1);
}
