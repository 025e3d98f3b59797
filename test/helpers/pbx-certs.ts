import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirectory, type Directory } from '../../server/home/directory.js';
import { homeLayout, type HomeLayout } from '../../server/home/layout.js';

/**
 * A throw-away office-service home for PBX tests, made with the openssl binary (`openssl ca`, which
 * also keeps the revocation index and writes the CRL). Independent of the PKI engineer's code so the
 * PBX can be tested on its own; the layout is the one in server/home/layout.ts.
 */
export interface ClientCert {
  user: string;
  certPem: string;
  keyPem: string;
  pfx: Buffer;
  passphrase: string;
  certFile: string;
}

export interface TestHome {
  home: string;
  layout: HomeLayout;
  caPem: string;
  issue(user: string, options?: { days?: number; expired?: boolean }): ClientCert;
  revoke(cert: ClientCert): void;
  /** A certificate for `user` from a CA the PBX does not trust. */
  foreign(user: string): ClientCert;
  writeDirectory(directory: Directory): void;
}

const PASS = 'test-passphrase';

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function caConfig(dir: string): string {
  return `[ca]
default_ca = ca_default
[ca_default]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/newcerts
serial = ${dir}/serial
private_key = ${dir}/ca.key.pem
certificate = ${dir}/ca.crt.pem
crlnumber = ${dir}/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
`;
}

function makeCa(dir: string, name: string): void {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '1000\n');
  writeFileSync(join(dir, 'openssl.cnf'), caConfig(dir));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key.pem',
      '-out',
      'ca.crt.pem',
      '-days',
      '3650',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function sign(dir: string, user: string, ext: string, dates: string[]): { certPem: string; keyPem: string; certFile: string } {
  const base = join(dir, `${user}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${base}.key.pem`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/CN=${user}`,
    ],
    dir,
  );
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'openssl.cnf',
      '-extensions',
      ext,
      '-in',
      `${base}.csr`,
      '-out',
      `${base}.crt.pem`,
      '-notext',
      ...dates,
    ],
    dir,
  );
  return {
    certPem: readFileSync(`${base}.crt.pem`, 'utf8'),
    keyPem: readFileSync(`${base}.key.pem`, 'utf8'),
    certFile: `${base}.crt.pem`,
  };
}

function client(dir: string, user: string, dates: string[]): ClientCert {
  const signed = sign(dir, user, 'client_ext', dates);
  const pfxFile = signed.certFile.replace(/\.crt\.pem$/, '.p12');
  openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      signed.certFile,
      '-inkey',
      signed.certFile.replace(/\.crt\.pem$/, '.key.pem'),
      '-out',
      pfxFile,
      '-passout',
      `pass:${PASS}`,
    ],
    dir,
  );
  return { user, ...signed, pfx: readFileSync(pfxFile), passphrase: PASS };
}

function writeCrl(dir: string, crlFile: string): void {
  openssl(['ca', '-config', 'openssl.cnf', '-gencrl', '-out', crlFile], dir);
}

export function createTestHome(): TestHome {
  const home = mkdtempSync(join(tmpdir(), 'vermittlung-pbx-'));
  const layout = homeLayout(home);
  const caDir = join(home, 'ca');
  const foreignDir = join(home, 'foreign-ca');
  mkdirSync(caDir, { recursive: true });
  mkdirSync(join(home, 'tls'), { recursive: true });
  makeCa(caDir, 'Vermittlung Test CA');
  makeCa(foreignDir, 'Somebody Else CA');
  const server = sign(caDir, 'localhost', 'server_ext', []);
  writeFileSync(layout.serverCert, server.certPem);
  writeFileSync(layout.serverKey, server.keyPem, { mode: 0o600 });
  writeCrl(caDir, layout.crl);
  writeDirectory(layout.directory, { version: 1, tenants: [], users: [] });
  return {
    home,
    layout,
    caPem: readFileSync(layout.caCert, 'utf8'),
    issue: (user, options = {}) =>
      client(
        caDir,
        user,
        options.expired
          ? ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']
          : ['-days', String(options.days ?? 30)],
      ),
    revoke: (cert) => {
      openssl(['ca', '-config', 'openssl.cnf', '-revoke', cert.certFile], caDir);
      writeCrl(caDir, layout.crl);
    },
    foreign: (user) => client(foreignDir, user, ['-days', '30']),
    writeDirectory: (directory) => writeDirectory(layout.directory, directory),
  };
}
