import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { X509Certificate as PeculiarCert, X509Crl } from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { Directory } from '../../../server/home/directory.js';
import { homeLayout } from '../../../server/home/layout.js';
import { readBundle } from '../../helpers/pki.js';

/** The real CLI, as IT runs it: `npm run admin -- …` is `tsx server/admin/cli.ts …`. */
const root = join(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
function admin(...args: string[]) {
  const run = spawnSync(tsx, [join(root, 'server/admin/cli.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const work = mkdtempSync(join(tmpdir(), 'vermittlung-admin-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run admin', () => {
  const home = join(work, 'home');
  const layout = homeLayout(home);

  it('refuses commands before `ca init`, and usage errors with exit code 2', () => {
    expect(admin('tenant', 'add', 'tischlerei', '--name', 'T', '--number', '+492211234567', '--home', home)).toMatchObject({
      code: 1,
      err: expect.stringContaining('no CA') as unknown,
    });
    expect(admin('user', 'frobnicate', '--home', home).code).toBe(2);
    expect(admin().code).toBe(2);
    expect(admin('user', 'add', 'anna', '--home', home, '--out', join(work, 'x.json')).err).toContain('--name is required');
  });

  it('initialises the CA, server certificate and an empty CRL', () => {
    const init = admin('ca', 'init', '--home', home, '--host', 'pbx.example.de', '--host', '127.0.0.1');
    expect(init.code, init.err).toBe(0);
    expect(statSync(layout.caKey).mode & 0o777).toBe(0o600);
    expect(statSync(layout.serverKey).mode & 0o777).toBe(0o600);
    const server = execFileSync(
      'openssl',
      ['x509', '-in', layout.serverCert, '-noout', '-ext', 'subjectAltName,extendedKeyUsage'],
      { encoding: 'utf8' },
    );
    expect(server).toContain('DNS:pbx.example.de');
    expect(server).toContain('IP Address:127.0.0.1');
    expect(server).toContain('TLS Web Server Authentication');
    execFileSync('openssl', ['verify', '-CAfile', layout.caCert, layout.serverCert]);
    expect(new X509Crl(readFileSync(layout.crl, 'utf8')).entries).toHaveLength(0);
    expect(admin('ca', 'init', '--home', home).code).toBe(1);
    const directory = Directory.parse(JSON.parse(readFileSync(layout.directory, 'utf8')));
    expect(directory.service).toMatchObject({
      pbxUrl: 'wss://pbx.example.de:7443/',
      sipDomain: 'pbx.example.de',
      serverUrl: 'https://pbx.example.de:7444/',
      calendarUrl: 'https://pbx.example.de:7445/',
    });
    expect(init.out).toContain('SIP domain:       pbx.example.de');
    expect(init.out).toContain('calendar feeds:   https://pbx.example.de:7445/');
  });

  it("prints feed URLs on the feed listener's port, never the sync server's", () => {
    const feedHome = join(work, 'feed-home');
    expect(admin('ca', 'init', '--home', feedHome, '--host', 'kal.example.de').code).toBe(0);
    expect(admin('tenant', 'add', 'maler', '--name', 'Malerei', '--number', '+492219876543', '--home', feedHome).code).toBe(0);
    const url = admin('calendar', 'url', 'maler', '--home', feedHome);
    expect(url.code, url.err).toBe(0);
    const token = /^https:\/\/kal\.example\.de:7445\/calendar\/([A-Za-z0-9_-]{43})\.ics$/.exec(url.out.trim())?.[1];
    expect(token, url.out).toBeDefined();
    const override = admin('calendar', 'url', 'maler', '--home', feedHome, '--calendar-url', 'https://feeds.example.de/');
    expect(override.out.trim()).toBe(`https://feeds.example.de/calendar/${token}.ics`);
    // the sync server's URL is no base for a feed
    expect(admin('calendar', 'url', 'maler', '--home', feedHome, '--server-url', 'https://kal.example.de:7444/').code).toBe(2);
    // a home from before the setting: the server's host on the feed port
    const file = homeLayout(feedHome).directory;
    const directory = Directory.parse(JSON.parse(readFileSync(file, 'utf8')));
    delete directory.service!.calendarUrl;
    writeFileSync(file, JSON.stringify(directory));
    expect(admin('calendar', 'url', 'maler', '--home', feedHome).out.trim()).toBe(
      `https://kal.example.de:7445/calendar/${token}.ics`,
    );
  });

  it('takes a SIP domain apart from the PBX URL and refuses one that is not a host name or IP address', () => {
    const other = join(work, 'other-home');
    for (const bad of ['pbx.example.de:5060', 'sip:pbx.example.de', 'pbx example.de']) {
      const refused = admin('ca', 'init', '--home', other, '--pbx-url', 'wss://sbc.example.net:443/', '--sip-domain', bad);
      expect(refused.code, bad).toBe(2);
      expect(refused.err).toContain('--sip-domain must be a host name or IPv4 address');
    }
    const init = admin(
      'ca',
      'init',
      '--home',
      other,
      '--pbx-url',
      'wss://sbc.example.net:443/',
      '--sip-domain',
      'pbx.example.net',
    );
    expect(init.code, init.err).toBe(0);
    const directory = Directory.parse(JSON.parse(readFileSync(homeLayout(other).directory, 'utf8')));
    expect(directory.service).toMatchObject({ pbxUrl: 'wss://sbc.example.net:443/', sipDomain: 'pbx.example.net' });
  });

  it('adds tenants with E.164 numbers and refuses bad numbers and duplicates', () => {
    const add = admin(
      'tenant',
      'add',
      'tischlerei',
      '--name',
      'Tischlerei Holzwurm',
      '--number',
      '0221 1234567',
      '--mobile',
      '0170 1234567',
      '--greeting',
      'Tischlerei Holzwurm, guten Tag',
      '--hours',
      'Di 8–12',
      '--home',
      home,
    );
    expect(add.code, add.err).toBe(0);
    expect(admin('tenant', 'add', 'sanitaer', '--name', 'Sanitär', '--number', '+49 30 1234567', '--home', home).code).toBe(0);
    expect(admin('tenant', 'add', 'tischlerei', '--name', 'Again', '--number', '+49301234568', '--home', home)).toMatchObject({
      code: 1,
    });
    expect(admin('tenant', 'add', 'x', '--name', 'X', '--number', '12', '--home', home)).toMatchObject({
      code: 2,
      err: expect.stringContaining('not a valid phone number') as unknown,
    });
    expect(admin('tenant', 'add', 'y', '--name', 'Y', '--number', '+492211234567', '--home', home)).toMatchObject({
      code: 1,
      err: expect.stringContaining('already belongs') as unknown,
    });
    const directory = Directory.parse(JSON.parse(readFileSync(layout.directory, 'utf8')));
    expect(directory.tenants[0]).toMatchObject({ id: 'tischlerei', numbers: ['+492211234567'], mobile: '+491701234567' });
  });

  let serial = '';
  it('adds a user: client certificate with CN and clientAuth, a bundle, the passphrase printed once', () => {
    const out = join(work, 'anna.json');
    const add = admin(
      'user',
      'add',
      'anna',
      '--name',
      'Anna Schmidt',
      '--tenant',
      'tischlerei',
      '--tenant',
      'sanitaer',
      '--home',
      home,
      '--out',
      out,
    );
    expect(add.code, add.err).toBe(0);
    const passphrase = /passphrase[^:]*: (\S+)/.exec(add.out)?.[1];
    expect(passphrase).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const bundle = readBundle(out, passphrase!);
    expect(bundle.payload).toMatchObject({
      user: 'anna',
      role: 'teleworker',
      tenants: [{ id: 'tischlerei' }, { id: 'sanitaer' }],
      pbxUrl: 'wss://pbx.example.de:7443/',
      sipDomain: 'pbx.example.de',
    });
    serial = bundle.serial;
    const certFile = join(work, 'anna.crt.pem');
    const pfxFile = join(work, 'anna.p12');
    writeFileSync(pfxFile, bundle.pfx);
    writeFileSync(
      certFile,
      execFileSync('openssl', ['pkcs12', '-in', pfxFile, '-clcerts', '-nokeys', '-passin', `pass:${passphrase}`]),
    );
    const cert = new PeculiarCert(readFileSync(certFile, 'utf8'));
    expect(cert.subject).toBe('CN=anna');
    expect(
      execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-ext', 'extendedKeyUsage'], { encoding: 'utf8' }),
    ).toContain('TLS Web Client Authentication');
    expect(
      execFileSync('openssl', ['verify', '-crl_check', '-CAfile', layout.caCert, '-CRLfile', layout.crl, certFile], {
        encoding: 'utf8',
      }),
    ).toContain('OK');
    expect(admin('user', 'add', 'anna', '--name', 'A', '--tenant', 'tischlerei', '--home', home, '--out', out).code).toBe(1);
    expect(
      admin('user', 'add', 'bob', '--name', 'B', '--tenant', 'nope', '--home', home, '--out', join(work, 'b.json')),
    ).toMatchObject({ code: 1, err: expect.stringContaining('unknown tenant') as unknown });
    expect(
      admin('user', 'add', 'Bad Id', '--name', 'B', '--tenant', 'tischlerei', '--home', home, '--out', join(work, 'b.json')).code,
    ).toBe(2);
    expect(admin('user', 'list', '--home', home).out).toMatch(/anna\tAnna Schmidt\tteleworker[\s\S]*valid/);
  });

  it('issues the lead role without a tenant (her bundle names every firm) and refuses other roles', () => {
    const out = join(work, 'lena.json');
    const add = admin('user', 'add', 'lena', '--name', 'Lena Leitung', '--role', 'lead', '--home', home, '--out', out);
    expect(add.code, add.err).toBe(0);
    const passphrase = /passphrase[^:]*: (\S+)/.exec(add.out)?.[1];
    const payload = readBundle(out, passphrase!).payload;
    expect(payload).toMatchObject({ user: 'lena', role: 'lead' });
    expect(payload.tenants.map((t) => t.id).sort()).toEqual(['sanitaer', 'tischlerei']);
    expect(admin('user', 'list', '--home', home).out).toMatch(/lena\tLena Leitung\tlead/);
    expect(
      admin('user', 'add', 'kim', '--name', 'K', '--role', 'admin', '--tenant', 'tischlerei', '--home', home, '--out', out),
    ).toMatchObject({ code: 2, err: expect.stringContaining('--role must be teleworker, craftsman or lead') as unknown });
    expect(admin('user', 'add', 'kim', '--name', 'K', '--role', 'Lead', '--home', home, '--out', out).code).toBe(2);
    expect(admin('user', 'add', 'kim', '--name', 'K', '--role', 'craftsman', '--home', home, '--out', out)).toMatchObject({
      code: 2,
      err: expect.stringContaining('at least one --tenant') as unknown,
    });
    expect(admin('user', 'list', '--home', home).out).not.toContain('kim');
  });

  it('revokes: the serial is on the CRL and openssl refuses the certificate; renew issues a fresh one', () => {
    const revoke = admin('user', 'revoke', 'anna', '--home', home);
    expect(revoke.code, revoke.err).toBe(0);
    expect(revoke.out).toContain('tls.reload');
    const crl = new X509Crl(readFileSync(layout.crl, 'utf8'));
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).toEqual([serial]);
    const check = spawnSync(
      'openssl',
      ['verify', '-crl_check', '-CAfile', layout.caCert, '-CRLfile', layout.crl, join(work, 'anna.crt.pem')],
      { encoding: 'utf8' },
    );
    expect(check.status).not.toBe(0);
    expect(check.stdout + check.stderr).toContain('certificate revoked');
    expect(admin('user', 'list', '--home', home).out).toContain('revoked');

    const renew = admin(
      'user',
      'renew',
      'anna',
      '--home',
      home,
      '--out',
      join(work, 'anna2.json'),
      '--passphrase',
      'neues-kennwort',
    );
    expect(renew.code, renew.err).toBe(0);
    expect(renew.out).not.toContain('neues-kennwort');
    const fresh = readBundle(join(work, 'anna2.json'), 'neues-kennwort');
    expect(fresh.serial).not.toBe(serial);
    expect(admin('ca', 'crl', '--home', home).out).toContain('1 revoked');
    expect(admin('user', 'revoke', 'nobody', '--home', home).code).toBe(1);
  });

  it('removes a user: out of the directory, every certificate she had stays on every later CRL', () => {
    const before = Directory.parse(JSON.parse(readFileSync(layout.directory, 'utf8')));
    const serials = before.users.find((u) => u.id === 'anna')!.certificates.map((c) => c.serial.toLowerCase());
    expect(serials).toHaveLength(2);
    const remove = admin('user', 'remove', 'anna', '--home', home);
    expect(remove.code, remove.err).toBe(0);
    expect(remove.out).toContain('removed anna from the directory; 1 certificate(s) revoked now');
    const after = Directory.parse(JSON.parse(readFileSync(layout.directory, 'utf8')));
    expect(after.users.map((u) => u.id)).not.toContain('anna');
    expect(after.removedCertificates!.map((c) => c.user)).toEqual(['anna', 'anna']);
    expect(admin('user', 'list', '--home', home).out).not.toContain('anna');
    const listed = () => new X509Crl(readFileSync(layout.crl, 'utf8')).entries.map((e) => e.serialNumber.toLowerCase()).sort();
    expect(listed()).toEqual([...serials].sort());
    // The daily `ca crl` rebuilds it from the directory: the removed user's serials must not drop out.
    expect(admin('ca', 'crl', '--home', home).out).toContain('2 revoked');
    expect(listed()).toEqual([...serials].sort());
    const fresh = readBundle(join(work, 'anna2.json'), 'neues-kennwort');
    writeFileSync(join(work, 'anna2.p12'), fresh.pfx);
    writeFileSync(
      join(work, 'anna2.crt.pem'),
      execFileSync('openssl', [
        'pkcs12',
        '-in',
        join(work, 'anna2.p12'),
        '-clcerts',
        '-nokeys',
        '-passin',
        'pass:neues-kennwort',
      ]),
    );
    const check = spawnSync(
      'openssl',
      ['verify', '-crl_check', '-CAfile', layout.caCert, '-CRLfile', layout.crl, join(work, 'anna2.crt.pem')],
      { encoding: 'utf8' },
    );
    expect(check.stdout + check.stderr).toContain('certificate revoked');
    expect(admin('user', 'remove', 'anna', '--home', home)).toMatchObject({
      code: 1,
      err: expect.stringContaining('unknown user') as unknown,
    });
    expect(admin('user', 'remove', '--home', home).code).toBe(2);
  });
});
