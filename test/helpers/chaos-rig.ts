import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { SyncEngine } from '../../electron/core/sync/sync-engine.js';
import type { PushOutcome } from '../../electron/core/sync/store-port.js';
import type { FieldValue } from '../../protocol/index.js';
import { startBaresip, type Baresip } from './baresip.js';
import { startChaosPostgres, type ChaosPostgres } from './chaos-postgres.js';
import { startChaosProxy, type ChaosProxy } from './chaos-proxy.js';
import { createHosts, type Host, type Hosts } from './netns.js';
import { createTestHome, type TestHome } from './pbx-certs.js';
import { TENANT, registration, startPhoneRig, type PhoneRig } from './phone-rig.js';
import { startProcess, type Started } from './processes.js';
import { TEST_DIRECTORY } from './sync-fixture.js';
import { TestSyncStore } from './test-sync-store.js';

type Server = Started & { match: RegExpMatchArray };

const ROOT = join(import.meta.dirname, '..', '..');

/** A write the server acknowledged (applied, or already superseded there by a newer one). */
export interface Acked {
  key: string;
  value: FieldValue;
  version: string;
  status: PushOutcome['status'];
}

/** The test store, remembering what the server acknowledged: the suite's ground truth. */
export class AckedStore extends TestSyncStore {
  readonly acked: Acked[] = [];

  override acknowledge(outcomes: PushOutcome[]): void {
    for (const o of outcomes) {
      const row = this.db.prepare('SELECT tbl, id, field, value, version FROM outbox WHERE outbox_id = ?').get(o.outboxId) as
        { tbl: string; id: string; field: string; value: string; version: string } | undefined;
      if (row)
        this.acked.push({
          key: `${row.tbl}/${row.id}/${row.field}`,
          value: JSON.parse(row.value) as FieldValue,
          version: row.version,
          status: o.status,
        });
    }
    super.acknowledge(outcomes);
  }
}

export interface ChaosClient {
  user: string;
  store: AckedStore;
  engine: SyncEngine;
}

export interface ChaosRig {
  work: string;
  hosts: Hosts;
  serverHost: Host;
  postgres: ChaosPostgres;
  home: TestHome;
  server(): Started;
  serverPort: number;
  proxy: ChaosProxy;
  clients: ChaosClient[];
  /**
   * Absent when the run has no calls (no Kamailio, rtpengine, Chromium, baresip). `pages`: the phone
   * apps by user, the first one in the firm's hunt group; `host`: the PBX's network host.
   */
  phone?: { rig: PhoneRig; pages: Record<string, Page>; caller: Baresip; proxy: ChaosProxy; host: Host };
  killServer(): Promise<void>;
  startServer(): Promise<void>;
  /** The server's state of every field, straight from its database. */
  serverState(): Promise<Record<string, { value: FieldValue; version: string }>>;
  stop(): Promise<void>;
}

export interface ChaosRigOptions {
  /** The sync clients' users; the first two also run a phone app each (the first takes the firm's calls). */
  users: string[];
  calls: boolean;
  delayMs: number;
  resetRate: number;
}

/**
 * The chaos suite's "office": the server on a host of its own (a network namespace), its own
 * PostgreSQL on this side of the link, apps here reaching the server through a delaying proxy, and —
 * with calls — the PBX (Kamailio and rtpengine) on a second host, two Chromium apps with presence and
 * an outside caller here. stop() takes everything down by PID even after a half-done start.
 */
export async function startChaosRig(options: ChaosRigOptions): Promise<ChaosRig> {
  const work = mkdtempSync(join(tmpdir(), 'vermittlung-chaos-'));
  const undo: Array<() => unknown> = [];
  const stopAll = async () => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`chaos teardown: ${(error as Error).message}`);
      }
    }
    rmSync(work, { recursive: true, force: true });
  };
  let starting: Promise<unknown> = Promise.resolve();
  let pbxProxy: ChaosProxy | undefined;
  try {
    const hosts = createHosts(options.calls ? ['server', 'pbx'] : ['server']);
    undo.push(() => hosts.destroy());
    const serverHost = hosts.hosts.server!;
    // The PBX side starts meanwhile: Chromium and Kamailio take as long as the server side.
    const phoneReady: Promise<ChaosRig['phone']> = (async () => {
      if (!options.calls) return undefined;
      const host = hosts.hosts.pbx!;
      const [answering, colleague] = options.users;
      // The apps reach Kamailio through a proxy too, so their link to the PBX can be reset on its own.
      // Both work for the office's own firm, which shares them their presence and internal calls; only
      // the first answers the customer firm's number.
      const office = { id: 'buero', name: 'Büro', numbers: ['+49301234500'] };
      const rig = await startPhoneRig(
        [
          { id: answering!, tenants: [TENANT, office.id] },
          { id: colleague!, tenants: [office.id] },
        ],
        {
          presence: true,
          extraTenants: [office],
          stack: { listenIp: host.ip, wrapDaemon: (command, args) => host.wrap(command, args), udpPeers: [host.peerIp] },
          pbxVia: async (stack) => {
            const wss = new URL(stack.info.pbxWss);
            const proxy = await startChaosProxy({ host: wss.hostname, port: Number(wss.port) });
            undo.push(() => proxy.close());
            pbxProxy = proxy;
            return proxy.url('wss');
          },
        },
      );
      undo.push(() => rig.stop());
      // CHAOS_KEEP_LOGS=DIR: the PBX's logs outlive the run (its home is removed with it).
      const keep = process.env.CHAOS_KEEP_LOGS;
      if (keep)
        undo.push(() => {
          mkdirSync(keep, { recursive: true });
          for (const [name, file] of Object.entries(rig.stack.info.logs)) if (file) cpSync(file, join(keep, `${name}.log`));
        });
      const caller = await startBaresip({
        user: '+4917611122233',
        domain: rig.stack.info.sipDomain,
        pbxHost: host.ip,
        pbxPort: rig.stack.info.ports.udp,
        localIp: host.peerIp,
      });
      undo.push(() => caller.stop());
      for (const page of Object.values(rig.pages))
        if ((await registration(page)) !== 'registered') throw new Error('an app did not register');
      return { rig, pages: rig.pages, caller, proxy: pbxProxy!, host };
    })();
    // Settled before any teardown, so a failure on one side never leaves the other's processes unowned.
    starting = phoneReady.catch(() => undefined);
    const postgres = await startChaosPostgres({ listen: ['127.0.0.1', serverHost.peerIp] });
    undo.push(() => postgres.destroy());
    const home = createTestHome();
    undo.push(() => rmSync(home.home, { recursive: true, force: true }));
    home.writeDirectory(TEST_DIRECTORY);

    // One bundle, as the server package ships it: a restart then costs no TypeScript transform, which
    // took 10–40 s per start on a loaded 2-core machine. Under the checkout, so its packages resolve.
    const bundleDir = join(ROOT, 'dist', `chaos-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(bundleDir, { recursive: true });
    undo.push(() => rmSync(bundleDir, { recursive: true, force: true }));
    await build({
      entryPoints: [join(ROOT, 'server', 'main.ts')],
      outfile: join(bundleDir, 'server.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    let server: Server | undefined;
    let serverPort = 0;
    const startServer = async () => {
      const [command, args] = serverHost.wrap(process.execPath, [
        join(bundleDir, 'server.mjs'),
        '--home',
        home.home,
        '--database',
        postgres.url(serverHost.peerIp),
        '--host',
        serverHost.ip,
        '--port',
        String(serverPort),
        '--feed-port',
        '0',
      ]);
      server = await startProcess(command, args, /Vermittlung-Server läuft: (https:\/\/\S+)/, { cwd: ROOT, timeoutMs: 60_000 });
      serverPort = Number(new URL(server.match[1]!).port);
    };
    await startServer();
    undo.push(() => server?.stop('SIGKILL'));

    const proxy = await startChaosProxy({ host: serverHost.ip, port: serverPort }, options);
    undo.push(() => proxy.close());

    const clients: ChaosClient[] = options.users.map((user) => {
      const cert = home.issue(user);
      const tls = { key: cert.keyPem, cert: cert.certPem, ca: home.caPem };
      const store = new AckedStore(join(work, `${user}.db`));
      const engine = new SyncEngine({
        store,
        serverUrl: proxy.url('https'),
        tls: () => tls,
        live: true,
        backoff: { baseMs: 100, maxMs: 1000 },
      });
      return { user, store, engine };
    });
    undo.push(async () => {
      for (const c of clients) {
        await c.engine.stop();
        c.store.close();
      }
    });
    for (const c of clients) c.engine.start();

    const probe = new pg.Pool({ connectionString: postgres.url('127.0.0.1'), max: 1 });
    probe.on('error', () => undefined);
    undo.push(() => probe.end());

    const phone = await phoneReady;

    return {
      work,
      hosts,
      serverHost,
      postgres,
      home,
      server: () => server!,
      get serverPort() {
        return serverPort;
      },
      proxy,
      clients,
      phone,
      killServer: async () => {
        await server!.stop('SIGKILL');
      },
      startServer,
      serverState: async () => {
        const { rows } = await probe.query<{ tbl: string; id: string; field: string; value: FieldValue; version: string }>(
          'SELECT tbl, id, field, value, version FROM field_state',
        );
        return Object.fromEntries(rows.map((r) => [`${r.tbl}/${r.id}/${r.field}`, { value: r.value, version: r.version }]));
      },
      stop: stopAll,
    };
  } catch (error) {
    await starting;
    await stopAll();
    throw error;
  }
}
