import { rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { SyncTlsProvider } from '../../electron/core/sync/sync-client.js';
import { SyncEngine, type SyncEngineOptions } from '../../electron/core/sync/sync-engine.js';
import { startSyncServer, type RunningServer, type ServerOptions } from '../../server/server.js';
import type { Directory } from '../../server/home/directory.js';
import { createTestHome, type ClientCert, type TestHome } from './pbx-certs.js';
import { freshDatabase } from './sync-postgres.js';
import { TestSyncStore } from './test-sync-store.js';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

/** Two firms, three people: anna and ben serve both firms' phones, carl is the joiner (tischlerei only). */
export const TEST_DIRECTORY: Directory = {
  version: 1,
  tenants: [
    {
      id: 'tischlerei',
      name: 'Tischlerei Holz',
      numbers: ['+4930111'],
      hours: 'Di 8–12',
      greeting: 'Tischlerei Holz, guten Tag',
    },
    { id: 'sanitaer', name: 'Sanitär Wasser', numbers: ['+4930222'], mobile: '+491701234' },
  ],
  users: [
    { id: 'anna', name: 'Anna A', role: 'teleworker', tenants: ['tischlerei', 'sanitaer'], certificates: [] },
    { id: 'ben', name: 'Ben B', role: 'teleworker', tenants: ['tischlerei', 'sanitaer'], certificates: [] },
    { id: 'carl', name: 'Carl C', role: 'craftsman', tenants: ['tischlerei'], certificates: [] },
  ],
};

export interface SyncFixture {
  home: TestHome;
  server: RunningServer;
  url: string;
  databaseUrl: string | undefined;
  cert(user: string): ClientCert;
  tls(user: string): { key: string; cert: string; ca: string };
  /**
   * A client of this server: an in-memory store and its engine, not started and without the live socket
   * unless asked. `as` is a user (his certificate) or a provider for tests that change the identity.
   * close() stops every engine made here, so a failed test leaves no engine polling.
   */
  client(as: string | SyncTlsProvider, options?: Pick<SyncEngineOptions, 'live' | 'backoff'>): SyncClient;
  /** Restarts the in-process server on the same home and database (new port). */
  restart(): Promise<void>;
  /** Stops the server (its PGlite database closed, as for the admin CLI); restart() brings it back. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface SyncClient {
  store: TestSyncStore;
  engine: SyncEngine;
}

const quiet = () => undefined;

export async function syncFixture(
  backend: Backend,
  directory: Directory = TEST_DIRECTORY,
  serverOptions: Pick<
    ServerOptions,
    'wireVersions' | 'now' | 'billingSource' | 'maxBlobBytes' | 'blobGc' | 'blobDir' | 'smtp' | 'documentMailIntervalMs'
  > = {},
): Promise<SyncFixture> {
  const home = createTestHome();
  home.writeDirectory(directory);
  const db = backend === 'postgres' ? await freshDatabase() : undefined;
  const start = () =>
    startSyncServer({ ...serverOptions, home: home.home, port: 0, log: quiet, ...(db ? { database: db.url } : {}) });
  let server = await start();
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    await server.close();
  };
  const certs = new Map<string, ClientCert>();
  const cert = (user: string) => {
    let c = certs.get(user);
    if (!c) certs.set(user, (c = home.issue(user)));
    return c;
  };
  const engines: SyncEngine[] = [];
  const fixture: SyncFixture = {
    home,
    server,
    url: server.url,
    databaseUrl: db?.url,
    cert,
    tls: (user) => ({ key: cert(user).keyPem, cert: cert(user).certPem, ca: home.caPem }),
    client: (as, options = {}) => {
      const store = new TestSyncStore(':memory:');
      const engine = new SyncEngine({
        store,
        serverUrl: fixture.url,
        tls: typeof as === 'string' ? () => fixture.tls(as) : as,
        live: false,
        backoff: { baseMs: 20, maxMs: 200 },
        ...options,
      });
      engines.push(engine);
      return { store, engine };
    },
    stop,
    restart: async () => {
      await stop();
      server = await start();
      running = true;
      fixture.server = server;
      fixture.url = server.url;
    },
    close: async () => {
      for (const engine of engines) await engine.stop();
      await stop();
      await db?.drop();
      rmSync(home.home, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** One raw HTTPS request with a user's certificate (no keep-alive), for asserting status codes. */
export function rawRequest(
  url: string,
  tls: { key: string; cert: string; ca: string },
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any answer, erroneous ones included; tests assert the shape
): Promise<{ status: number; json: any; text: string; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, url),
      {
        method,
        ...tls,
        agent: false,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text, body: raw, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
