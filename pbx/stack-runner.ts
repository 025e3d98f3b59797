import { existsSync, mkdirSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDirectory, serviceSipDomain, type Directory } from '../server/home/directory.js';
import { homeLayout, type HomeLayout } from '../server/home/layout.js';
import { freePort, kamcmd, REQUIRED_PACKAGES, rtpenginePing, spawnDaemon, tcpOpen, waitFor, type Daemon } from './daemons.js';
import { DIRECTORY_HTABLE, writeDirectoryTable } from './directory-table.js';
import { DirectoryMirror, mirroredFiles } from './directory-mirror.js';
import type { WeeklyHours } from '../protocol/firm-day.js';
import { DEFAULT_OFFICE_HOURS } from './firm-timeline.js';
import { FirmdayReloader } from './firmday-reloader.js';
import { spoolClosedCall } from './missed-calls.js';
import { renderPbx, type RenderedPbx } from './render.js';

const root = resolve(import.meta.dirname, '..');

/** DIR/stack.json: what `npm run stack` started. Other tools and tests read it. */
export interface StackInfo {
  version: 1;
  home: string;
  /** The SIP domain of the users' AoRs (sip:alice@<sipDomain>). */
  sipDomain: string;
  /** wss://127.0.0.1:PORT — the apps' SIP over WebSocket, client certificate required. */
  pbxWss: string;
  /** sip:127.0.0.1:PORT;transport=udp — outside callers and trunks (baresip in tests). */
  pbxUdp: string;
  /** The central server's sync URL (client certificate required), when server/main.ts exists. */
  server?: string;
  /** The server's calendar feed listener (no client certificate, feeds only), with `server`. */
  feed?: string;
  /** The outbound gateway (host:port, UDP) for numbers outside this PBX, when one is configured. */
  trunk?: string;
  ports: { wss: number; udp: number; rtpengineNg: number; rtpMin: number; rtpMax: number; server?: number; feed?: number };
  pids: { kamailio: number; rtpengine: number; server?: number; stack: number };
  logs: { kamailio: string; rtpengine: string; server?: string };
  /** `kamcmd -s unix:<ctlSocket> tls.reload` re-reads the CRL by hand. */
  ctlSocket: string;
  startedAt: string;
}

export interface StackOptions {
  home: string;
  sipDomain?: string;
  /** Start the central server too (default: when server/main.ts exists). */
  server?: boolean;
  /** Poll the CRL and the server certificate and reload Kamailio's TLS settings when they change (default true). */
  watchCrl?: boolean;
  /** Poll directory.json and reload Kamailio's htable `directory` when it changes (default true). */
  watchDirectory?: boolean;
  tenantRingMs?: number;
  /** The outbound gateway for calls and DND forwards to numbers (host:port, UDP); none by default. */
  trunk?: string;
  /**
   * The UDP peers (`IP` or `IP:PORT`) allowed to send SIP besides the trunk; with these or a trunk, others
   * get 403 (docs/pbx.md, rule 11). Neither: every UDP source may send (the loopback demo).
   */
  udpPeers?: string[];
  /** The office service's working hours, which a firm's `service` mode follows (default Mo–Fr 08:00–18:00). */
  officeHours?: WeeklyHours;
  /** Poll HOME/firm-schedules.json (the server's copy of the synced schedules) and reload `firmday` (default true). */
  watchSchedules?: boolean;
  /** How often the firms' timelines are rendered anew, so they never run out (default 10 minutes). */
  timelineRefreshMs?: number;
  /** Kamailio writes its CDRs into this PostgreSQL database (the server's); absent: files under HOME/pbx/cdr. */
  cdrPostgresUrl?: string;
  /**
   * The directory and CRL live in this PostgreSQL database (`directory migrate`): copied into HOME/pbx/
   * at start and on every NOTIFY, then reloaded; the stack's own server gets the same --database.
   */
  directoryDatabase?: string;
  /** Fixed ports (the ones the home's provisioning bundles point at); free ones when absent. */
  wssPort?: number;
  serverPort?: number;
  feedPort?: number;
  /** Kamailio's shared memory in MB (default 64); each TLS connection keeps its OpenSSL state there. */
  shmMb?: number;
  log?: (line: string) => void;
}

export class MissingPackageError extends Error {}

/** Refuses to start with a message naming the Debian package to install. */
export function checkPackages(): void {
  for (const pkg of REQUIRED_PACKAGES) {
    if (!existsSync(pkg.file)) {
      throw new MissingPackageError(`${pkg.name} is not installed: apt-get install ${pkg.name} (or run scripts/setup-debian.sh)`);
    }
  }
}

export class Stack {
  private kamailio!: Daemon;
  private rtpengine!: Daemon;

  private server: Daemon | undefined;
  private rendered!: RenderedPbx;
  private readonly revokedSeen = new Set<string>();
  /** The users Kamailio's htable holds now, to know whom a reload removes. */
  private directoryUsers = new Set<string>();
  private reloading: Promise<void> = Promise.resolve();
  private firmday: FirmdayReloader | undefined;
  private timelineTimer: NodeJS.Timeout | undefined;
  private mirror: DirectoryMirror | undefined;
  private wssPort = 0;
  private serverPort = 0;
  private feedPort = 0;
  info!: StackInfo;
  readonly layout: HomeLayout;

  constructor(private readonly options: StackOptions) {
    const layout = homeLayout(resolve(options.home));
    // A shared directory: the PBX reads its own copies, which the mirror keeps current.
    this.layout = options.directoryDatabase ? { ...layout, ...mirroredFiles(layout) } : layout;
  }

  private say(line: string): void {
    this.options.log?.(line);
  }

  /**
   * rtpengine on a free NG port and a random media window (parallel stacks on this machine stay out
   * of each other's ports). Once in a CI run it printed nothing for 10 s and never answered a ping:
   * a start that hangs is killed by its PID and tried once more, on new ports.
   */
  private async startRtpengine(logDir: string): Promise<{ ng: number; rtpMin: number; rtpMax: number }> {
    mkdirSync(join(this.layout.pbxDir, 'run'), { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const ng = await freePort('udp');
      const rtpMin = 20000 + 2 * Math.floor(Math.random() * 19000);
      const ports = { ng, rtpMin, rtpMax: rtpMin + 999 };
      try {
        await this.spawnRtpengine(ports, join(logDir, attempt === 1 ? 'rtpengine.log' : `rtpengine-${attempt}.log`));
        return ports;
      } catch (error) {
        if (attempt >= 2) throw error;
        this.say(`rtpengine did not answer (${(error as Error).message}); starting it again`);
      }
    }
  }

  private async spawnRtpengine(ports: { ng: number; rtpMin: number; rtpMax: number }, logFile: string): Promise<void> {
    this.rtpengine = spawnDaemon(
      'rtpengine',
      'rtpengine',
      [
        '--config-file=none',
        '--table=-1',
        '--interface=127.0.0.1',
        `--listen-ng=127.0.0.1:${ports.ng}`,
        `--port-min=${ports.rtpMin}`,
        `--port-max=${ports.rtpMax}`,
        '--foreground',
        '--log-stderr',
        `--pidfile=${join(this.layout.pbxDir, 'run', 'rtpengine.pid')}`,
      ],
      logFile,
    );
    try {
      await waitFor('rtpengine', () => rtpenginePing('127.0.0.1', ports.ng), 10_000, this.rtpengine);
    } catch (error) {
      await this.rtpengine.stop('SIGKILL');
      throw error;
    }
  }

  async start(): Promise<StackInfo> {
    checkPackages();
    if (this.options.directoryDatabase)
      this.mirror = await DirectoryMirror.open(this.options.directoryDatabase, mirroredFiles(this.layout), (line) =>
        this.say(line),
      );
    for (const file of [this.layout.caCert, this.layout.crl, this.layout.serverCert, this.layout.serverKey]) {
      if (!existsSync(file))
        throw new Error(`${file} is missing: run \`npm run admin -- ca init --home ${this.layout.home}\` first`);
    }
    const logDir = join(this.layout.pbxDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    // The domain the home's bundles carry, so the desks' AoRs match what Kamailio serves.
    const service = readDirectory(this.layout.directory).service;
    const sipDomain = this.options.sipDomain ?? (service ? serviceSipDomain(service) : 'localhost');
    const wss = this.options.wssPort ?? (await freePort('both'));
    const udp = await freePort('both');
    for (const user of readDirectory(this.layout.directory).users) {
      for (const cert of user.certificates) if (cert.revokedAt) this.revokedSeen.add(`${user.id}/${cert.serial}`);
    }

    const { ng, rtpMin, rtpMax } = await this.startRtpengine(logDir);
    this.say(`rtpengine ready (pid ${this.rtpengine.pid}, ng 127.0.0.1:${ng})`);

    const directory = readDirectory(this.layout.directory);
    this.directoryUsers = new Set(directory.users.map((user) => user.id));
    this.rendered = renderPbx({
      layout: this.layout,
      directory,
      wssPort: wss,
      udpPort: udp,
      rtpengineNg: `127.0.0.1:${ng}`,
      sipDomain,
      tenantRingMs: this.options.tenantRingMs,
      trunk: this.options.trunk,
      udpPeers: this.options.udpPeers,
      officeHours: this.options.officeHours,
      ...(this.options.cdrPostgresUrl ? { cdrPostgresUrl: this.options.cdrPostgresUrl } : {}),
    });
    this.wssPort = wss;
    await this.startKamailio();
    this.firmday = new FirmdayReloader({
      rendered: this.rendered,
      layout: this.layout,
      officeHours: this.options.officeHours ?? DEFAULT_OFFICE_HOURS,
      say: (line) => this.say(line),
    });
    this.firmday.afterSpoken(this.rendered.firmday.pending);

    let serverUrls: { server: string; feed: string } | undefined;
    let serverPort: number | undefined;
    let feedPort: number | undefined;
    const wantServer = this.options.server ?? existsSync(join(root, 'server', 'main.ts'));
    if (wantServer && existsSync(join(root, 'server', 'main.ts'))) {
      serverPort = this.options.serverPort ?? (await freePort('tcp'));
      feedPort = this.options.feedPort ?? (await freePort('tcp'));
      this.serverPort = serverPort;
      this.feedPort = feedPort;
      serverUrls = await this.startServer();
    } else if (wantServer || this.options.server === undefined) {
      this.say('warning: server/main.ts does not exist yet; starting without the central server');
    }

    this.info = {
      version: 1,
      home: this.layout.home,
      sipDomain,
      pbxWss: `wss://127.0.0.1:${wss}`,
      pbxUdp: `sip:127.0.0.1:${udp};transport=udp`,
      ...(serverUrls ? { server: serverUrls.server, feed: serverUrls.feed } : {}),
      ...(this.options.trunk ? { trunk: this.options.trunk } : {}),
      ports: { wss, udp, rtpengineNg: ng, rtpMin, rtpMax, ...(serverPort ? { server: serverPort, feed: feedPort } : {}) },
      pids: {
        kamailio: this.kamailio.pid,
        rtpengine: this.rtpengine.pid,
        ...(this.server ? { server: this.server.pid } : {}),
        stack: process.pid,
      },
      logs: {
        kamailio: this.kamailio.logFile,
        rtpengine: this.rtpengine.logFile,
        ...(this.server ? { server: this.server.logFile } : {}),
      },
      ctlSocket: this.rendered.ctlSocket,
      startedAt: new Date().toISOString(),
    };
    this.writeInfo();
    if (this.options.watchCrl ?? true) {
      // A new CRL, or a renewed server certificate (`ca server-cert`): `tls.reload` re-reads both.
      // With a mirror the CRL copy is reloaded on its NOTIFY; polling it too would only race that reload.
      for (const file of this.mirror ? [this.layout.serverCert] : [this.layout.crl, this.layout.serverCert]) {
        watchFile(file, { interval: 500 }, (current, previous) => {
          if (current.mtimeMs !== previous.mtimeMs)
            void this.reload().catch((error: Error) => this.say(`reload failed: ${error.message}`));
        });
      }
    }
    if (this.options.watchSchedules ?? true) {
      // Polled often: a craftsman's override must reach the routing within a second.
      watchFile(this.layout.firmSchedules, { interval: 100 }, (current, previous) => {
        if (current.mtimeMs !== previous.mtimeMs) void this.reloadFirmday();
      });
    }
    this.timelineTimer = setInterval(() => void this.reloadFirmday(), this.options.timelineRefreshMs ?? 600_000);
    this.timelineTimer.unref();
    if ((this.options.watchDirectory ?? true) && !this.mirror) {
      watchFile(this.layout.directory, { interval: 500 }, (current, previous) => {
        if (current.mtimeMs !== previous.mtimeMs)
          void this.reloadDirectory().catch((error: Error) => this.say(`directory reload failed: ${error.message}`));
      });
    }
    // The directory and CRL copies are reloaded on the NOTIFY, at once, instead of by the watchers above.
    this.mirror?.follow((what) => (what === 'crl' ? this.reload() : this.reloadDirectory()));
    return this.info;
  }

  private writeInfo(): void {
    writeFileSync(this.layout.stackFile, JSON.stringify(this.info, null, 2) + '\n');
  }

  private async startKamailio(): Promise<void> {
    const run = this.rendered.runDir;
    const shm = String(this.options.shmMb ?? 64);
    this.kamailio = spawnDaemon(
      'kamailio',
      'kamailio',
      ['-f', this.rendered.cfg, '-DD', '-E', '-m', shm, '-M', '8', '-P', join(run, 'kamailio.pid'), '-Y', run],
      join(this.layout.pbxDir, 'logs', 'kamailio.log'),
      (line) => {
        if (line.includes('FIRMDAY-CLOSED')) spoolClosedCall(this.layout.pbxDir, line, this.options.log);
      },
      true,
    );
    const wssPort = this.wssPort;
    await waitFor(
      'kamailio',
      async () =>
        (await tcpOpen('127.0.0.1', wssPort)) &&
        (await kamcmd(this.rendered.ctlSocket, ['core.uptime']).then(
          () => true,
          () => false,
        )),
      20_000,
      this.kamailio,
    );
    this.say(`kamailio ready (pid ${this.kamailio.pid}, wss port ${wssPort})`);
    if (this.info) {
      this.info.pids.kamailio = this.kamailio.pid;
      this.writeInfo();
    }
  }

  private async startServer(): Promise<{ server: string; feed: string }> {
    const logDir = join(this.layout.pbxDir, 'logs');
    let found: { server: string; feed: string } | undefined;
    this.server = spawnDaemon(
      'server',
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'server', 'main.ts'),
        '--home',
        this.layout.home,
        '--port',
        String(this.serverPort),
        '--feed-port',
        String(this.feedPort),
        ...(this.options.directoryDatabase ? ['--database', this.options.directoryDatabase] : []),
      ],
      join(logDir, 'server.log'),
      (line) => {
        // server/main.ts prints exactly one line when it accepts connections.
        const match = /läuft: (https:\/\/\S+) \(Kalender-Feed: (https:\/\/\S+)\)/.exec(line);
        if (match) found ??= { server: match[1]!, feed: match[2]! };
      },
    );
    // Compiling the server with tsx and starting PGlite takes 70 s and more on a loaded 2-core machine.
    await waitFor('central server', () => Promise.resolve(found !== undefined), 150_000, this.server);
    this.say(`server ready at ${found!.server}, calendar feeds at ${found!.feed} (pid ${this.server.pid})`);
    if (this.info) {
      this.info.pids.server = this.server.pid;
      this.writeInfo();
    }
    return found!;
  }

  /** Stops only the central server (SIGTERM unless told otherwise), as an outage would; the PBX stays up. */
  async stopServer(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.server) throw new Error('this stack was started without the central server');
    await this.server.stop(signal);
  }

  /** Starts the central server again on the same port and home (its database survives). */
  async restartServer(): Promise<void> {
    if (!this.server) throw new Error('this stack was started without the central server');
    await this.server.stop();
    await this.startServer();
  }

  /** Kills Kamailio (SIGKILL unless told otherwise), as a crash would. */
  async killKamailio(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kamailio.stop(signal);
  }

  /** Starts Kamailio again on the same ports and config (registrations are gone: they live in memory). */
  async restartKamailio(): Promise<void> {
    await this.kamailio.stop();
    await this.startKamailio();
  }

  /** Kills rtpengine (SIGKILL unless told otherwise), as a crash would; calls in progress lose their media. */
  async killRtpengine(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.rtpengine.stop(signal);
  }

  /** Starts rtpengine again on the NG port Kamailio's config names and the same media window. */
  async restartRtpengine(): Promise<void> {
    await this.rtpengine.stop();
    const { rtpengineNg: ng, rtpMin, rtpMax } = this.info.ports;
    await this.spawnRtpengine({ ng, rtpMin, rtpMax }, join(this.layout.pbxDir, 'logs', 'rtpengine.log'));
    this.say(`rtpengine ready again (pid ${this.rtpengine.pid})`);
    this.info.pids.rtpengine = this.rtpengine.pid;
    this.writeInfo();
  }

  /**
   * Makes a revocation effective: `tls.reload` re-reads tls.cfg and the CRL for new connections,
   * then every open WebSocket of a user with a newly revoked certificate is closed (Kamailio keeps
   * established TLS connections on the settings they were accepted with).
   */
  reload(): Promise<void> {
    return this.serially(async () => {
      await kamcmd(this.rendered.ctlSocket, ['tls.reload']);
      const newlyRevoked = new Set<string>();
      for (const user of readDirectory(this.layout.directory).users) {
        for (const cert of user.certificates) {
          const key = `${user.id}/${cert.serial}`;
          if (cert.revokedAt && !this.revokedSeen.has(key)) {
            this.revokedSeen.add(key);
            newlyRevoked.add(user.id);
          }
        }
      }
      const closed = await this.closeConnectionsOf(newlyRevoked);
      this.say(`TLS settings reloaded; revoked: ${[...newlyRevoked].join(', ') || 'none'}; connections closed: ${closed}`);
    });
  }

  /** One reload at a time (a revocation changes the CRL and directory.json together); a failed one does not stop the next. */
  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.reloading.catch(() => undefined).then(task);
    this.reloading = run;
    return run;
  }

  /**
   * Brings a changed directory.json into the running Kamailio: rewrites the htable's db_text file
   * and `htable.reload directory` (calls, registrations and dialogs stay). Users no longer in the
   * directory lose their open WebSockets and registrations, so they are gone at once, not at the
   * next REGISTER refresh. A directory that does not parse leaves the PBX as it was.
   */
  reloadDirectory(): Promise<void> {
    return this.serially(async () => {
      let directory: Directory;
      try {
        directory = readDirectory(this.layout.directory);
      } catch (error) {
        // The admin CLI writes by rename, so this is a hand edit half done: wait for the next change.
        this.say(`directory.json not reloaded, it does not parse: ${(error as Error).message}`);
        return;
      }
      writeDirectoryTable(this.rendered.htableDir, directory);
      await kamcmd(this.rendered.ctlSocket, ['htable.reload', DIRECTORY_HTABLE]);
      // Names, ring times and firms themselves come from the directory.
      void this.reloadFirmday();
      const users = new Set(directory.users.map((user) => user.id));
      const removed = new Set([...this.directoryUsers].filter((id) => !users.has(id)));
      this.directoryUsers = users;
      const closed = await this.closeConnectionsOf(removed, 'removed from the directory');
      for (const id of removed) {
        try {
          await kamcmd(this.rendered.ctlSocket, ['ul.rm', 'location', id]);
        } catch (error) {
          // No contact registered: nothing to drop.
          if (!/not found|404/i.test((error as Error).message)) throw error;
        }
      }
      this.say(
        `directory reloaded: ${users.size} users, ${directory.tenants.length} tenants; removed: ${[...removed].join(', ') || 'none'}; connections closed: ${closed}`,
      );
    });
  }

  /** Renders the firms' timelines anew and reloads them into Kamailio (pbx/firmday-reloader.ts). */
  reloadFirmday(): Promise<void> {
    return this.firmday?.reload() ?? Promise.resolve();
  }

  /** Closes the WebSockets whose certificate CN is one of `users`; returns how many. */
  async closeConnectionsOf(users: Set<string>, reason = 'certificate revoked'): Promise<number> {
    if (users.size === 0) return 0;
    const cns = parseHtableDump(await kamcmd(this.rendered.ctlSocket, ['htable.dump', 'wsid']));
    const ids = parseHtableDump(await kamcmd(this.rendered.ctlSocket, ['htable.dump', 'wscon']));
    let closed = 0;
    for (const [peer, cn] of cns) {
      const id = ids.get(peer);
      if (!users.has(cn) || id === undefined) continue;
      try {
        await kamcmd(this.rendered.ctlSocket, ['ws.close', id, '1008', reason]);
        closed++;
      } catch (error) {
        this.say(`could not close connection ${id} of ${cn}: ${(error as Error).message}`);
      }
    }
    return closed;
  }

  async stop(): Promise<void> {
    unwatchFile(this.layout.crl);
    unwatchFile(this.layout.serverCert);
    unwatchFile(this.layout.directory);
    unwatchFile(this.layout.firmSchedules);
    clearInterval(this.timelineTimer);
    await this.firmday?.idle();
    await this.mirror?.close();
    await Promise.all([this.server?.stop(), this.kamailio?.stop(), this.rtpengine?.stop()]);
  }
}

/** `kamcmd htable.dump NAME` prints name/value pairs; the keys here are "ip:port", the values tokens. */
export function parseHtableDump(output: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const match of output.matchAll(/name:\s*(\S+)\s*\n\s*value:\s*(\S+)/g)) entries.set(match[1]!, match[2]!);
  return entries;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const stack = new Stack(options);
  try {
    await stack.start();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** For the docs and humans: the commands that make a new CRL or directory table effective without the stack's watcher. */
export function reloadCommand(info: StackInfo, what: 'crl' | 'directory' = 'crl'): string {
  return `kamcmd -s unix:${info.ctlSocket} ${what === 'crl' ? 'tls.reload' : `htable.reload ${DIRECTORY_HTABLE}`}`;
}
