import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncHttpClient, type SyncTls } from '../../../../../electron/core/sync/sync-client.js';
import { createPkiHome, type PkiHome } from '../../../../helpers/pki.js';

/**
 * The sync client keeps its TLS connections while the identity stays the same, however the identity
 * service hands it over; a renewed certificate gets new connections. Counted at a real TLS server
 * that asks for the client certificate.
 */
let pki: PkiHome;
let server: Server;
let url: string;
const handshakes: string[] = [];

beforeAll(async () => {
  pki = await createPkiHome();
  server = createServer(
    {
      key: readFileSync(pki.layout.serverKey),
      cert: readFileSync(pki.layout.serverCert),
      ca: pki.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ changes: {}, cursor: '0', more: false }));
    },
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    handshakes.push(socket.getPeerX509Certificate()?.serialNumber.toLowerCase() ?? 'none');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  pki?.cleanup();
});

describe('sync client TLS connections', () => {
  it('a provider that builds a new but equal object for every request keeps one connection', async () => {
    handshakes.length = 0;
    const anna = pki.users.anna!;
    // What an identity service without a cache does: fresh Buffers and objects each time.
    const client = new SyncHttpClient(url, (): SyncTls => ({
      pfx: Buffer.from(anna.pfx),
      passphrase: anna.passphrase,
      ca: `${pki.caPem}`,
    }));
    for (let i = 0; i < 3; i++) await client.pull('0', 10);
    expect(handshakes).toEqual([anna.serial.toLowerCase()]);
    client.close();
  });

  it('a renewed certificate (other bytes) is used at once, on a new connection', async () => {
    handshakes.length = 0;
    const anna = pki.users.anna!;
    let current: SyncTls = { pfx: anna.pfx, passphrase: anna.passphrase, ca: pki.caPem };
    const client = new SyncHttpClient(url, () => current);
    await client.pull('0', 10);
    const renewed = await pki.renew('anna');
    current = { pfx: renewed.pfx, passphrase: renewed.passphrase, ca: pki.caPem };
    await client.pull('0', 10);
    await client.pull('0', 10);
    expect(handshakes).toEqual([anna.serial.toLowerCase(), renewed.serial.toLowerCase()]);
    client.close();
  });
});
