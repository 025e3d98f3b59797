import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPENDS, UNIT_FILES } from '../../../packaging/build-server-deb.js';
import { extractServerPackage, type ExtractedPackage } from '../../helpers/packaged-server.js';

let pkg: ExtractedPackage;
beforeAll(async () => {
  pkg = await extractServerPackage();
}, 120_000);
afterAll(() => {
  if (pkg) rmSync(pkg.work, { recursive: true, force: true });
});

describe('vermittlung-server .deb', () => {
  it('declares what a Debian 12 server needs and carries the server, the admin command and hardened units', async () => {
    expect(pkg.built.deb).toMatch(/vermittlung-server_\d+\.\d+\.\d+_all\.deb$/);
    const info = await pkg.run('dpkg-deb', ['-I', pkg.built.deb]);
    expect(info.code).toBe(0);
    const field = (name: string) => new RegExp(`^ ${name}: (.*)$`, 'm').exec(info.stdout)?.[1];
    expect(field('Package')).toBe('vermittlung-server');
    expect(field('Version')).toBe(pkg.built.version);
    expect(field('Architecture')).toBe('all');
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

  it('leaves the CA key to the admin command; the service user renders a configuration Kamailio accepts', async () => {
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
    const env = 'VERMITTLUNG_PBX_IP=127.0.0.1 VERMITTLUNG_RTPENGINE_NG=127.0.0.1:2225';
    const lib = join(pkg.root, 'usr', 'lib', 'vermittlung-server');
    const kamailio = await pkg.run('sh', ['-c', `${env} node ${lib}/pbx-config.mjs kamailio --home ${home}`], {
      asService: true,
    });
    expect(kamailio.stderr).toBe('');
    expect(kamailio.stdout).toContain('kamailio.cfg');
    const rtpengine = await pkg.run('sh', ['-c', `${env} node ${lib}/pbx-config.mjs rtpengine --home ${home}`], {
      asService: true,
    });
    expect(rtpengine.code).toBe(0);
    expect(readFileSync(join(home, 'pbx', 'rtpengine.conf'), 'utf8')).toContain('listen-ng = 127.0.0.1:2225');
    const check = await pkg.run('kamailio', ['-c', '-f', join(home, 'pbx', 'kamailio.cfg')], { asService: true });
    expect(check.code, check.stderr).toBe(0);
  });
});
