/**
 * `pbx-kamailio.mjs --home DIR [--refresh-seconds N] [--database=URL] -- KAMAILIO ARGS…`: the main
 * process of the vermittlung-kamailio unit. Runs Kamailio in the foreground as its child and does for
 * it what `npm run stack` does (pbx/stack-runner.ts): each call to a closed firm Kamailio logs becomes
 * a missed call in HOME/pbx/missed-calls/ for the server to sync, and the firms' timelines are
 * rendered anew every 10 minutes so the days they hold never run out. With the directory in the
 * database (VERMITTLUNG_DATABASE, as the ExecStartPre found it) it follows its NOTIFY and reloads
 * Kamailio on each change (pbx-directory-follow.ts). Kamailio's output passes through to the journal.
 * A Kamailio before 5.8 starts with the OpenSSL fork guard preloaded (pbx/openssl-fork-guard.c).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { kamcmd } from '../../pbx/daemons.js';
import { FirmdayReloader, TIMELINE_REFRESH_MS } from '../../pbx/firmday-reloader.js';
import { environmentForKamailio } from '../../pbx/openssl-fork-guard.js';
import { spoolClosedCall } from '../../pbx/missed-calls.js';
import { homeLayout } from '../../server/home/layout.js';
import { PbxDirectoryFollower, watchForMigration } from './pbx-directory-follow.js';
import { layoutFor, recordedSource } from './pbx-directory-source.js';

/** Exit status asking systemd (Restart=on-failure) for a new start, which renders from PostgreSQL. */
const RESTART_STATUS = 75;

const { values, positionals } = parseArgs({
  options: { home: { type: 'string' }, 'refresh-seconds': { type: 'string' }, database: { type: 'string' } },
  allowPositionals: true,
});
const refreshMs = values['refresh-seconds'] ? Number(values['refresh-seconds']) * 1000 : TIMELINE_REFRESH_MS;
if (!values.home || positionals.length === 0 || !(refreshMs > 0)) {
  process.stderr.write('usage: pbx-kamailio.mjs --home DIR [--refresh-seconds N] [--database=URL] -- KAMAILIO ARGS…\n');
  process.exit(2);
}
const home = homeLayout(resolve(values.home));
const database = values.database?.trim() || undefined;
const source = database ? recordedSource(home) : 'home';
const layout = layoutFor(home, source);
const say = (line: string) => process.stderr.write(`${line}\n`);

let follower: PbxDirectoryFollower | undefined;
if (database && source === 'postgres') {
  try {
    follower = await PbxDirectoryFollower.open(home, database, say);
  } catch (error) {
    say(`error: ${(error as Error).message}`);
    process.exit(1);
  }
}

const [command, ...args] = positionals as [string, ...string[]];
let env: NodeJS.ProcessEnv;
try {
  env = environmentForKamailio(command);
} catch (error) {
  say(`error: ${(error as Error).message}`);
  process.exit(1);
}
const kamailio = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
for (const stream of [kamailio.stdout, kamailio.stderr]) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    process.stderr.write(`${line}\n`);
    if (line.includes('FIRMDAY-CLOSED')) spoolClosedCall(layout.pbxDir, line, say);
  });
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => kamailio.kill(signal));

const firmday = new FirmdayReloader({
  htableDir: join(layout.pbxDir, 'htable'),
  announceDir: join(layout.pbxDir, 'announcements'),
  ctlSocket: join(layout.pbxDir, 'run', 'kamailio.ctl'),
  directoryFile: layout.directory,
  schedulesFile: layout.firmSchedules,
  say,
});
let exited = false;
let restart = false;
let stopWatching: (() => Promise<void>) | undefined;
kamailio.once('exit', (code, signal) => {
  exited = true;
  void Promise.all([firmday.stop(), follower?.close(), stopWatching?.()]).then(() =>
    process.exit(restart ? RESTART_STATUS : (code ?? (signal ? 1 : 0))),
  );
});

// The timer starts once Kamailio answers on its control socket; the first render then is the config's own.
const ctl = join(layout.pbxDir, 'run', 'kamailio.ctl');
while (!exited) {
  const up = await kamcmd(ctl, ['core.uptime']).then(
    () => true,
    () => false,
  );
  if (up) break;
  await new Promise((done) => setTimeout(done, 200));
}
if (!exited) {
  say(`firm timelines rendered anew every ${Math.round(refreshMs / 1000)} s`);
  firmday.every(refreshMs);
  follower?.follow();
  if (database && !follower)
    stopWatching = await watchForMigration(database, say, () => {
      say('the directory moved into PostgreSQL: restarting to render from it');
      restart = true;
      kamailio.kill('SIGTERM');
    });
}
