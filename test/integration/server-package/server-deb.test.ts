import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPENDS, UNIT_FILES } from '../../../packaging/build-server-deb.js';
import { kamcmd, rtpenginePing, tcpOpen, waitFor, type Daemon } from '../../../pbx/daemons.js';
import { FORK_GUARD_LIBRARY } from '../../../pbx/openssl-fork-guard.js';
import { encodeSchedulePart } from '../../../protocol/index.js';
import { missedCallsDir } from '../../../pbx/missed-calls.js';
import {
  extractServerPackage,
  pbxUnitPorts,
  startUnit,
  unitCommands,
  type ExtractedPackage,
} from '../../helpers/packaged-server.js';
import { sipRequest } from '../../helpers/stack.js';

let pkg: ExtractedPackage;
beforeAll(async () => {
  pkg = await extractServerPackage();
}, 120_000);
afterAll(() => {
  if (pkg) rmSync(pkg.work, { recursive: true, force: true });
});

describe('vermittlung-server .deb', () => {
  it('declares what a Debian 12 server needs and carries the server, the admin command and hardened units', async () => {
    const architecture = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
    expect(pkg.built.deb).toMatch(new RegExp(`vermittlung-server_\\d+\\.\\d+\\.\\d+_${architecture}\\.deb$`));
    const info = await pkg.run('dpkg-deb', ['-I', pkg.built.deb]);
    expect(info.code).toBe(0);
    const field = (name: string) => new RegExp(`^ ${name}: (.*)$`, 'm').exec(info.stdout)?.[1];
    expect(field('Package')).toBe('vermittlung-server');
    expect(field('Version')).toBe(pkg.built.version);
    // Native since it carries the OpenSSL fork guard for Debian 12's Kamailio.
    expect(field('Architecture')).toBe(architecture);
    const depends = field('Depends')!.split(', ');
    expect(depends).toEqual(DEPENDS);
    for (const needed of [
      'kamailio',
      'kamailio-websocket-modules',
      'kamailio-tls-modules',
      'kamailio-presence-modules',
      'kamailio-utils-modules',
      'rtpengine-daemon',
    ])
      expect(depends).toContain(needed);
    expect(depends.some((d) => d.startsWith('nodejs (>= 20'))).toBe(true);
    for (const script of ['postinst', 'prerm', 'postrm', 'conffiles']) expect(info.stdout).toContain(` ${script}`);
    // An upgrade keeps IT's settings: dpkg asks before replacing a changed conffile, and keeps it silently when unchanged upstream.
    expect((await pkg.run('dpkg-deb', ['-I', pkg.built.deb, 'conffiles'])).stdout.trim()).toBe(
      '/etc/vermittlung/vermittlung.conf',
    );

    const contents = await pkg.run('dpkg-deb', ['-c', pkg.built.deb]);
    expect(contents.code).toBe(0);
    const entries = new Map(
      contents.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const parts = line.split(/\s+/);
          return [parts[5]!.replace(/^\./, ''), { mode: parts[0]!, owner: parts[1]! }] as const;
        }),
    );
    expect(entries.get('/usr/bin/vermittlung-admin')).toEqual({ mode: '-rwxr-xr-x', owner: 'root/root' });
    expect(entries.get(`/usr/lib/vermittlung-server/${FORK_GUARD_LIBRARY}`)?.owner).toBe('root/root');
    for (const file of [
      '/usr/lib/vermittlung-server/server.mjs',
      '/usr/lib/vermittlung-server/admin.mjs',
      '/usr/lib/vermittlung-server/pbx-config.mjs',
      '/usr/lib/vermittlung-server/kamailio.cfg.template',
      '/usr/lib/vermittlung-server/node_modules/fastify/package.json',
      '/usr/lib/vermittlung-server/node_modules/@electric-sql/pglite/dist/pglite.wasm',
      '/etc/vermittlung/vermittlung.conf',
      '/usr/share/doc/vermittlung-server/server-install.md',
      ...UNIT_FILES.map((unit) => `/lib/systemd/system/${unit}`),
    ])
      expect(entries.has(file), file).toBe(true);
    // Nothing of the checkout: no TypeScript sources, no native build output, no development tools.
    const paths = [...entries.keys()];
    expect(paths.filter((p) => /\.ts$|\.node$|\/(tsx|vite|electron|better-sqlite3|typescript)\//.test(p))).toEqual([]);

    const units = join(pkg.root, 'lib', 'systemd', 'system');
    for (const unit of UNIT_FILES.filter((u) => u.endsWith('.service'))) {
      const text = readFileSync(join(units, unit), 'utf8');
      for (const line of ['ProtectSystem=strict', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'User=vermittlung', 'ProtectHome=yes'])
        expect(text, `${unit}: ${line}`).toContain(line);
      expect(text).toMatch(/^ReadWritePaths=\/var\/lib\/vermittlung/m);
      if (!unit.includes('reload')) expect(text, unit).toContain('Restart=on-failure');
    }
    const verify = await pkg.run('sh', [
      '-c',
      `SYSTEMD_UNIT_PATH=${units}: systemd-analyze verify ${UNIT_FILES.map((u) => join(units, u)).join(' ')}`,
    ]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });

  it('leaves the CA key to the admin command; the PBX units run as the service user and reload on admin changes', async () => {
    const home = join(pkg.work, 'pbx-home');
    expect((await pkg.admin('ca', 'init', '--home', home)).code).toBe(0);
    if (pkg.asService) {
      const caKey = statSync(join(home, 'ca', 'ca.key.pem'));
      expect([caKey.uid, caKey.mode & 0o777]).toEqual([0, 0o600]);
      expect((await pkg.run('cat', [join(home, 'ca', 'ca.key.pem')], { asService: true })).code).not.toBe(0);
      for (const readable of ['tls/server.key.pem', 'tls/server.crt.pem', 'ca/ca.crt.pem', 'ca/crl.pem', 'directory.json'])
        expect((await pkg.run('cat', [join(home, readable)], { asService: true })).code, readable).toBe(0);
      expect((await pkg.run('ls', [join(home, 'issued')], { asService: true })).code).not.toBe(0);
    }
    // The units' own command lines, moved into the extracted root and this home.
    const { wss, udp, ng, env } = await pbxUnitPorts();
    // `ca init` here gave the PBX URL port 7443; this test takes a free one, as `ca init --pbx-url` would.
    const directoryFile = join(home, 'directory.json');
    writeFileSync(directoryFile, readFileSync(directoryFile, 'utf8').replace('wss://127.0.0.1:7443/', `wss://127.0.0.1:${wss}/`));
    const daemons: Daemon[] = [];
    try {
      daemons.push(await startUnit(pkg, home, 'vermittlung-rtpengine.service', env));
      // The timelines' timer of the unit's main process, every second instead of every 10 minutes.
      daemons.push(
        await startUnit(pkg, home, 'vermittlung-kamailio.service', env, (args) =>
          args.splice(args.indexOf('--'), 0, '--refresh-seconds', '1'),
        ),
      );
      expect(readFileSync(join(home, 'pbx', 'rtpengine.conf'), 'utf8')).toContain(`listen-ng = 127.0.0.1:${ng}`);
      await waitFor('rtpengine', () => rtpenginePing('127.0.0.1', ng), 20_000, daemons[0]);
      const ctl = join(home, 'pbx', 'run', 'kamailio.ctl');
      const up = () =>
        kamcmd(ctl, ['core.uptime']).then(
          () => true,
          () => false,
        );
      await waitFor('kamailio', async () => (await tcpOpen('127.0.0.1', wss)) && (await up()), 30_000, daemons[1]);
      // Debian 12's Kamailio runs with the fork guard the package ships, not one built on the server.
      const kamailioPid = readFileSync(join(home, 'pbx', 'run', 'kamailio.pid'), 'utf8').trim();
      expect(readFileSync(`/proc/${kamailioPid}/environ`, 'utf8').split('\0')).toContain(
        `LD_PRELOAD=${join(pkg.root, 'usr/lib/vermittlung-server', FORK_GUARD_LIBRARY)}`,
      );

      // What the path unit starts after `user revoke` and `user remove`.
      const [reloadCommand, ...reloadArgs] = unitCommands(pkg, home, 'vermittlung-pbx-reload.service', 'ExecStart')[0]!;
      const reload = () => pkg.run(reloadCommand!, reloadArgs, { asService: true });
      await pkg.admin('tenant', 'add', 'tischlerei', '--name', 'Tischlerei', '--number', '+4930111', '--home', home);
      const bundle = join(pkg.work, 'pbx-anna.json');
      await pkg.admin('user', 'add', 'anna', '--name', 'Anna', '--tenant', 'tischlerei', '--home', home, '--out', bundle);
      expect((await reload()).stdout).toContain('PBX reloaded: 1 users; revoked: none; removed: none');
      expect(await kamcmd(ctl, ['htable.get', 'directory', 'user:anna'])).toMatch(/value:\s*1/);
      expect((await pkg.admin('user', 'revoke', 'anna', '--home', home)).code).toBe(0);
      expect((await reload()).stdout).toContain('revoked: anna; removed: none');
      expect((await pkg.admin('user', 'remove', 'anna', '--home', home)).code).toBe(0);
      expect((await reload()).stdout).toContain('PBX reloaded: 0 users; revoked: none; removed: anna');
      expect(await kamcmd(ctl, ['htable.get', 'directory', 'user:anna'])).toContain("Key name doesn't exist");

      // The firm closed until further notice, in the server's copy of the schedules: the path unit's
      // reload renders its timeline; the kamailio unit's main process renders it again on its timer and
      // records a call to the closed firm as a missed call for the server to sync.
      writeFileSync(
        join(home, 'firm-schedules.json'),
        JSON.stringify({
          version: 1,
          firms: {
            tischlerei: {
              bundesland: encodeSchedulePart('bundesland', 'NW'),
              consultation: encodeSchedulePart('consultation', {}),
              override: encodeSchedulePart('override', { mode: 'closed', until: null }),
            },
          },
        }),
      );
      expect((await reload()).code).toBe(0);
      expect(await kamcmd(ctl, ['htable.get', 'firmday', 'tl:tischlerei:0:mode'])).toContain('closed');
      const kamailioLog = () => readFileSync(daemons[1]!.logFile, 'utf8');
      await waitFor(
        'two timer renders with the firm',
        () => Promise.resolve((kamailioLog().match(/firm timelines reloaded \([1-9]/g) ?? []).length >= 2),
        10_000,
      );
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
      socket.on('message', () => undefined);
      try {
        const invite = sipRequest({
          method: 'INVITE',
          user: '+4915112345678',
          toUser: '+4930111',
          domain: `127.0.0.1:${udp}`,
          transport: 'UDP',
          via: `127.0.0.1:${socket.address().port}`,
        });
        socket.send(invite, udp, '127.0.0.1');
        const spool = missedCallsDir(join(home, 'pbx'));
        const files = () => {
          try {
            return readdirSync(spool).filter((f) => f.endsWith('.json'));
          } catch {
            return [];
          }
        };
        await waitFor('the missed call spooled', () => Promise.resolve(files().length > 0), 10_000);
        expect(JSON.parse(readFileSync(join(spool, files()[0]!), 'utf8'))).toMatchObject({
          tenant: 'tischlerei',
          caller: '+4915112345678',
          dialled: '+4930111',
        });
      } finally {
        socket.close();
      }
    } finally {
      for (const daemon of daemons.reverse()) await daemon.stop();
    }
  });
});
