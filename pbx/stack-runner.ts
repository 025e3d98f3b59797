import { existsSync, mkdirSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDirectory, serviceSipDomain, type Directory } from '../server/home/directory.js';
import { homeLayout, type HomeLayout } from '../server/home/layout.js';
import { closeConnectionsOf, dropRegistrations } from './connections.js';
import { freePort, kamcmd, spawnDaemon, tcpOpen, waitFor, type Daemon, type DaemonHost } from './daemons.js';
import { DIRECTORY_HTABLE, writeDirectoryTable } from './directory-table.js';
import { DirectoryMirror, mirroredFiles } from './directory-mirror.js';
import { FirmdayReloader } from './firmday-reloader.js';
import { environmentForKamailio } from './openssl-fork-guard.js';
import { spoolClosedCall } from './missed-calls.js';
import { renderPbx, type RenderedPbx } from './render.js';
import { spawnRtpengine, startRtpengine } from './rtpengine-daemon.js';
import { startCentralServer } from './server-daemon.js';
import { checkPackages, type StackInfo, type StackOptions } from './stack-info.js';

export { checkPackages, MissingPackageError, type StackInfo, type StackOptions } from './stack-info.js';
export { parseHtableDump } from './connections.js';

const root = resolve(import.meta.dirname, '..');

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

  private get listenIp(): string {
    return this.options.listenIp ?? '127.0.0.1';
  }

  private get daemonHost(): DaemonHost {
    return { listenIp: this.listenIp, ...(this.options.wrapDaemon ? { wrap: this.options.wrapDaemon } : {}) };
  }

  private say(line: string): void {
    this.options.log?.(line);
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

    const { daemon, ng, rtpMin, rtpMax } = await startRtpengine(
      this.layout.pbxDir,
      logDir,
      (line) => this.say(line),
      this.daemonHost,
    );
    this.rtpengine = daemon;
    this.say(`rtpengine ready (pid ${this.rtpengine.pid}, ng ${this.listenIp}:${ng})`);

    const directory = readDirectory(this.layout.directory);
    this.directoryUsers = new Set(directory.users.map((user) => user.id));
    this.rendered = renderPbx({
      layout: this.layout,
      directory,
      wssPort: wss,
      udpPort: udp,
      bindIp: this.listenIp,
      rtpengineNg: `${this.listenIp}:${ng}`,
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
      htableDir: this.rendered.htableDir,
      announceDir: this.rendered.announceDir,
      ctlSocket: this.rendered.ctlSocket,
      directoryFile: this.layout.directory,
      schedulesFile: this.layout.firmSchedules,
      ...(this.options.officeHours ? { officeHours: this.options.officeHours } : {}),
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
      pbxWss: `wss://${this.listenIp}:${wss}`,
      pbxUdp: `sip:${this.listenIp}:${udp};transport=udp`,
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
    this.firmday.every(this.options.timelineRefreshMs);
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
      this.options.wrapDaemon,
      environmentForKamailio(),
    );
    const wssPort = this.wssPort;
    await waitFor(
      'kamailio',
      async () =>
        (await tcpOpen(this.listenIp, wssPort)) &&
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
    const { daemon, server, feed } = await startCentralServer({
      root,
      home: this.layout.home,
      logDir: join(this.layout.pbxDir, 'logs'),
      port: this.serverPort,
      feedPort: this.feedPort,
      database: this.options.directoryDatabase,
    });
    this.server = daemon;
    this.say(`server ready at ${server}, calendar feeds at ${feed} (pid ${daemon.pid})`);
    if (this.info) {
      this.info.pids.server = daemon.pid;
      this.writeInfo();
    }
    return { server, feed };
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
    this.rtpengine = await spawnRtpengine(
      this.layout.pbxDir,
      { ng, rtpMin, rtpMax },
      join(this.layout.pbxDir, 'logs', 'rtpengine.log'),
      this.daemonHost,
    );
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
      await dropRegistrations(this.rendered.ctlSocket, removed);
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
  closeConnectionsOf(users: Set<string>, reason = 'certificate revoked'): Promise<number> {
    return closeConnectionsOf(this.rendered.ctlSocket, users, reason, (line) => this.say(line));
  }

  async stop(): Promise<void> {
    unwatchFile(this.layout.crl);
    unwatchFile(this.layout.serverCert);
    unwatchFile(this.layout.directory);
    unwatchFile(this.layout.firmSchedules);
    await this.firmday?.stop();
    await this.mirror?.close();
    await Promise.all([this.server?.stop(), this.kamailio?.stop(), this.rtpengine?.stop()]);
  }
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
