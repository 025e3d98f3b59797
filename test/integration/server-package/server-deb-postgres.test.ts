/**
 * The packaged PBX on a directory in PostgreSQL (VERMITTLUNG_DATABASE): the PBX units' own command
 * lines, run as systemd would. Before `directory migrate` Kamailio renders from the home's files and
 * asks for a restart once the directory moves; started again it renders from the database and follows
 * its NOTIFY: a user the packaged admin command adds there is in Kamailio's htable within 2 s, her
 * revocation in its CRL within 2 s. Real PostgreSQL, Kamailio, rtpengine.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kamcmd, rtpenginePing, tcpOpen, waitFor, type Daemon } from '../../../pbx/daemons.js';
import {
  extractServerPackage,
  pbxUnitPorts,
  startUnit,
  unitCommands,
  type ExtractedPackage,
} from '../../helpers/packaged-server.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';

let pkg: ExtractedPackage;
let db: Awaited<ReturnType<typeof freshDatabase>>;
const daemons: Daemon[] = [];
beforeAll(async () => {
  pkg = await extractServerPackage();
  db = await freshDatabase('pbxmirror_deb');
}, 120_000);
afterAll(async () => {
  for (const daemon of daemons.reverse()) await daemon.stop();
  await db?.drop();
  if (pkg) rmSync(pkg.work, { recursive: true, force: true });
}, 60_000);

/** Milliseconds until `probe` holds, or a failure naming `what` after `timeoutMs`. */
async function within(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

describe('the packaged PBX with the directory in PostgreSQL', () => {
  it('renders from the database after `directory migrate` and follows its changes within 2 s', async () => {
    const home = join(pkg.work, 'pg-home');
    expect((await pkg.admin('ca', 'init', '--home', home)).code).toBe(0);
    const { wss, ng, env: pbxEnv } = await pbxUnitPorts();
    const env = { ...pbxEnv, VERMITTLUNG_DATABASE: db.url };
    const directoryFile = join(home, 'directory.json');
    writeFileSync(directoryFile, read(directoryFile).replace('wss://127.0.0.1:7443/', `wss://127.0.0.1:${wss}/`));
    const added = await pkg.admin('tenant', 'add', 'mueller', '--name', 'Müller', '--number', '+4930222', '--home', home);
    expect(added.code, added.stderr).toBe(0);

    const ctl = join(home, 'pbx', 'run', 'kamailio.ctl');
    const up = () =>
      kamcmd(ctl, ['core.uptime']).then(
        () => true,
        () => false,
      );
    const startKamailio = async () => {
      const daemon = await startUnit(pkg, home, 'vermittlung-kamailio.service', env);
      daemons.push(daemon);
      await waitFor('kamailio', async () => (await tcpOpen('127.0.0.1', wss)) && (await up()), 30_000, daemon);
      return daemon;
    };
    daemons.push(await startUnit(pkg, home, 'vermittlung-rtpengine.service', env));
    await waitFor('rtpengine', () => rtpenginePing('127.0.0.1', ng), 20_000, daemons[0]);

    // The database does not hold the directory yet: the home's file is the PBX's.
    const first = await startKamailio();
    expect(read(join(home, 'pbx', 'run', 'directory-source')).trim()).toBe('home');
    const migrated = await pkg.admin('directory', 'migrate', '--home', home, '--database', db.url);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(existsSync(directoryFile)).toBe(false);
    // The unit's main process stops Kamailio and exits for systemd's Restart=on-failure.
    const status = await Promise.race([first.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 10_000))]);
    expect(status).toBe(75);
    expect(read(first.logFile)).toContain('the directory moved into PostgreSQL: restarting');

    const kamailio = await startKamailio();
    expect(read(join(home, 'pbx', 'run', 'directory-source')).trim()).toBe('postgres');
    expect(await kamcmd(ctl, ['htable.get', 'directory', 'number:+4930222'])).toContain('mueller');

    const htable = join(home, 'pbx', 'htable', 'directory');
    const crl = join(home, 'pbx', 'crl.pem');
    const crlBefore = read(crl);
    expect(crlBefore).toContain('BEGIN X509 CRL');
    const bundle = join(pkg.work, 'nina.json');
    const user = await pkg.admin(
      'user',
      'add',
      'nina',
      '--name',
      'Nina Berg',
      '--tenant',
      'mueller',
      '--out',
      bundle,
      '--home',
      home,
      '--database',
      db.url,
    );
    expect(user.code, user.stderr).toBe(0);
    await within('nina in the htable file', () => read(htable).includes('user\\:nina'), 2000);
    await within(
      'nina in the running htable',
      async () => /value:\s*1/.test(await kamcmd(ctl, ['htable.get', 'directory', 'user:nina']).catch(() => '')),
      2000,
    );

    const revoked = await pkg.admin('user', 'revoke', 'nina', '--home', home, '--database', db.url);
    expect(revoked.code, revoked.stderr).toBe(0);
    await within('a new CRL', () => read(crl) !== crlBefore && read(crl).includes('BEGIN X509 CRL'), 2000);
    await within('the reload that knows her revoked', () => read(kamailio.logFile).includes('revoked: nina'), 2000);

    // The path unit's reload (a new server certificate, a schedule) works on the same copies.
    const [reloadCommand, ...reloadArgs] = unitCommands(pkg, home, 'vermittlung-pbx-reload.service', 'ExecStart')[0]!;
    const reload = await pkg.run(reloadCommand!, reloadArgs, { asService: true });
    expect(reload.stdout, reload.stderr).toContain('PBX reloaded: 1 users; revoked: none; removed: none');
  });
});
