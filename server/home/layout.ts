import { join } from 'node:path';

/**
 * The office service's home directory: IT's single source of truth for the CA, the directory of
 * tenants and users, and the server's embedded database. `npm run admin`, `npm run server` and
 * `npm run stack` all take `--home DIR` and find everything here.
 *
 *     DIR/ca/ca.key.pem  ca.crt.pem  crl.pem      the office service's CA and its revocation list
 *     DIR/tls/server.key.pem  server.crt.pem       TLS identity of the server and the PBX
 *     DIR/issued/<user>-<serial>.crt.pem           every client certificate issued
 *     DIR/directory.json                           tenants, users, certificates, revocations
 *     DIR/db/                                      PGlite data (when no --database is given)
 *     DIR/pbx/                                     rendered Kamailio config and runtime files
 *     DIR/pbx/cdr/                                 the PBX's call detail records, when not in PostgreSQL
 *     DIR/stack.json                               what `npm run stack` started
 *     DIR/firm-schedules.json                      the synced firm schedules, for the PBX's routing
 *     DIR/server-node-id                           the sync server's HLC node id (16 hex)
 *     DIR/letterhead.json                          the monthly reports' letterhead (optional; billing/letterhead.ts)
 */
export function homeLayout(home: string) {
  return {
    home,
    caKey: join(home, 'ca', 'ca.key.pem'),
    caCert: join(home, 'ca', 'ca.crt.pem'),
    crl: join(home, 'ca', 'crl.pem'),
    serverKey: join(home, 'tls', 'server.key.pem'),
    serverCert: join(home, 'tls', 'server.crt.pem'),
    issuedDir: join(home, 'issued'),
    directory: join(home, 'directory.json'),
    dbDir: join(home, 'db'),
    pbxDir: join(home, 'pbx'),
    cdrDir: join(home, 'pbx', 'cdr'),
    stackFile: join(home, 'stack.json'),
    firmSchedules: join(home, 'firm-schedules.json'),
    serverNodeId: join(home, 'server-node-id'),
  };
}
export type HomeLayout = ReturnType<typeof homeLayout>;
