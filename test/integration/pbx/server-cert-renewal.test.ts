import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../../../server/home/directory.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';

/**
 * `ca server-cert` renews the TLS certificate of the PBX and the central server while both run
 * (`npm run stack`): new connections to the PBX's WSS port, the sync port and the calendar feed port
 * get the new certificate within seconds, without a restart.
 */
let pki: PkiHome;
let stack: Stack;

beforeAll(async () => {
  pki = await createPkiHome();
  stack = await startTestStack(pki.home, { server: true });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  pki?.cleanup();
});

/** The serial of the certificate a TLS server presents now (client certificate given where asked). */
function servedSerial(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const anna = pki.users.anna!;
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), ca: pki.caPem, pfx: anna.pfx, passphrase: anna.passphrase, servername: 'localhost' },
      () => {
        const serial = socket.getPeerX509Certificate()?.serialNumber.toLowerCase() ?? '';
        socket.destroy();
        resolve(serial.replace(/^0+/, ''));
      },
    );
    socket.once('error', reject);
  });
}

const certSerial = (pem: string) =>
  execFileSync('openssl', ['x509', '-noout', '-serial'], { input: pem, encoding: 'utf8' })
    .trim()
    .replace(/^serial=/, '')
    .toLowerCase()
    .replace(/^0+/, '');

describe('server certificate renewal', () => {
  it('the PBX, the sync server and the feed serve the renewed certificate without a restart', async () => {
    const { pbxWss, server, feed, pids } = stack.info;
    const listeners = [pbxWss.replace(/^wss:/, 'https:'), server!, feed!];
    const before = certSerial(readFileSync(pki.layout.serverCert, 'utf8'));
    for (const url of listeners) expect(await servedSerial(url), url).toBe(before);

    const out = await pki.admin('ca', 'server-cert', '--host', 'localhost', '--host', '127.0.0.1', '--host', 'pbx.example.de');
    expect(out).toContain('new server certificate');
    const pem = readFileSync(pki.layout.serverCert, 'utf8');
    const after = certSerial(pem);
    expect(after).not.toBe(before);
    expect(execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: pem, encoding: 'utf8' })).toContain(
      'DNS:pbx.example.de',
    );
    const directory = Directory.parse(JSON.parse(readFileSync(pki.layout.directory, 'utf8')));
    expect(directory.service?.hosts).toEqual(['localhost', '127.0.0.1', 'pbx.example.de']);

    for (const url of listeners) {
      const deadline = Date.now() + 10_000;
      let served = await servedSerial(url);
      while (served !== after && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        served = await servedSerial(url);
      }
      expect(served, url).toBe(after);
    }
    expect(stack.info.pids).toEqual(pids);
  }, 60_000);

  it('refuses a validity below one day', async () => {
    await expect(pki.admin('ca', 'server-cert', '--days', '0')).rejects.toThrow(/at least 1/);
  });
});
