import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AccessControl } from './auth/access.js';
import { readLetterhead } from './billing/letterhead.js';
import { ReportService } from './billing/report-service.js';
import { collectBlobs, DEFAULT_BLOB_GC, type BlobGcOptions } from './blobs/blob-gc.js';
import { DirectoryBlobBytes } from './blobs/blob-dir.js';
import { BlobStore } from './blobs/blob-store.js';
import { DocumentMailer } from './smtp/document-mailer.js';
import type { SmtpSettings } from './smtp/smtp-settings.js';
import type { Database } from './db/database.js';
import { migrate } from './db/migrations.js';
import { PgDatabase } from './db/pg-database.js';
import { PgliteDatabase } from './db/pglite-database.js';
import { PgDirectoryStore, databaseHoldsDirectory } from './directory/pg-directory-store.js';
import { homeLayout } from './home/layout.js';
import { buildApp, TLS_MIN_VERSION } from './http/app.js';
import { buildFeedApp } from './http/feed-app.js';
import type { ServerLog } from './log.js';
import { listenForBackups } from './admin/backup-socket.js';
import { DbBillingSource } from './metering/billing-source.js';
import { CdrFileIngester } from './metering/cdr-ingest.js';
import { UsagePublisher } from './metering/usage-publisher.js';
import { DirectoryPublisher, serverNodeId } from './sync/directory-publisher.js';
import { NOTIFY_CHANNEL, currentCursor } from './sync/field-writes.js';
import { FirmScheduleExporter } from './sync/firm-schedule-export.js';
import { LiveHub } from './sync/live-hub.js';
import { BLOB_NOTIFY_CHANNEL } from './blobs/blob-store.js';
import { importMissedCalls } from './sync/missed-call-import.js';
import { SyncService } from './sync/sync-service.js';
import { DEFAULT_MAX_BLOB_BYTES, type WireVersionRange } from '../protocol/index.js';
import type { BillingSource } from '../protocol/billing-lines.js';

export interface ServerOptions {
  home: string;
  port?: number;
  /** The calendar feed listener's port (docs/calendar.md); 0 or absent: a free one. */
  feedPort?: number;
  host?: string;
  /** postgres://… ; without it PGlite under HOME/db (single process). */
  database?: string;
  log: ServerLog;
  /** The sync wire versions accepted (default: this build's range); tests pose as other builds with it. */
  wireVersions?: WireVersionRange;
  /** The server's clock (default Date.now); tests run server and clients on one simulated time. */
  now?: () => number;
  /** Where the monthly reports read calls, items and contracts (default: the metering tables); tests give fixed lines. */
  billingSource?: (db: Database) => BillingSource;
  /** How often the PBX's CDR files are read (default 1000 ms). */
  cdrIngestIntervalMs?: number;
  /** The largest document accepted, in bytes (default DEFAULT_MAX_BLOB_BYTES, 50 MB). */
  maxBlobBytes?: number;
  /** A directory for the documents' bytes instead of the database (`--blob-dir`). */
  blobDir?: string;
  /** The office's SMTP relay: forwarded scans are e-mailed to the firm's `mailTo` (none = no e-mail). */
  smtp?: SmtpSettings;
  /** How often the e-mail of forwarded scans looks even without a commit (default 10 s). */
  documentMailIntervalMs?: number;
  /** How often unreferenced document bytes are collected (default every 10 minutes), and its graces. */
  blobGc?: Partial<BlobGcOptions> & { intervalMs?: number };
}

export interface RunningServer {
  /** The sync API: mutual TLS, a client certificate of the office CA or no handshake. */
  url: string;
  port: number;
  /** The calendar feed listener: no client certificate, nothing but /calendar/<token>.ics. */
  feedUrl: string;
  feedPort: number;
  db: Database;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The server's composition root: database, directory, sync service, live hub, and two HTTPS
 * listeners — the sync API, which completes no handshake without a valid client certificate, and
 * the calendar feed, which asks for none and serves nothing else.
 */
export async function startSyncServer(options: ServerOptions): Promise<RunningServer> {
  const { log } = options;
  const layout = homeLayout(options.home);
  const db: Database = options.database ? new PgDatabase(options.database, log) : await PgliteDatabase.open(layout.dbDir);
  const access = new AccessControl(layout, log);
  const hub = new LiveHub((userId) => access.tenantsOf(userId));
  const sync = new SyncService(db, access, options.now);
  const publisher = new DirectoryPublisher(db, serverNodeId(layout.serverNodeId), log, options.now);
  const schedules = new FirmScheduleExporter(db, layout.firmSchedules, log);
  const usage = new UsagePublisher(
    db,
    new DbBillingSource(db, () => access.directory),
    () => access.directory,
    serverNodeId(layout.serverNodeId),
    log,
  );
  const blobStore = new BlobStore(
    db,
    options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES,
    ...(options.blobDir ? [new DirectoryBlobBytes(options.blobDir)] : []),
  );
  const mailer = options.smtp
    ? new DocumentMailer({
        db,
        blobs: blobStore,
        smtp: options.smtp,
        recipient: (tenant) => {
          const entry = access.directory.tenants.find((t) => t.id === tenant);
          return entry?.mailTo ? { name: entry.name, address: entry.mailTo } : undefined;
        },
        log,
        ...(options.documentMailIntervalMs ? { intervalMs: options.documentMailIntervalMs } : {}),
      })
    : undefined;

  // PostgreSQL may still be starting (or restarting): wait for it rather than give up.
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db);
      await db.listen(
        NOTIFY_CHANNEL,
        (payload) => {
          try {
            const { cursor, tenants } = JSON.parse(payload) as { cursor: string; tenants: string[] | null };
            hub.nudge(tenants, cursor);
            mailer?.kick();
            // The PBX routes by the schedules: every commit may have changed one.
            void schedules.refresh();
            // A contract or a call synced changes a budget firm's consumption: shown within a second, not at
            // the next minute; a burst of commits makes one run of the firms they named.
            usage.soon(tenants);
          } catch {
            log('ignored a malformed notification');
          }
        },
        () =>
          void currentCursor(db).then(
            (cursor) => hub.nudge(null, cursor),
            () => undefined,
          ),
      );
      await schedules.refresh();
      break;
    } catch (error) {
      if (attempt === 1 || attempt % 10 === 0) log('database not ready, retrying', { reason: (error as Error).message });
      await sleep(1000);
    }
  }

  // Without it, a client whose record came before the bytes finds them by its retry timer instead.
  await db
    .listen(
      BLOB_NOTIFY_CHANNEL,
      (payload) => {
        try {
          const { sha256, tenant } = JSON.parse(payload) as { sha256: string; tenant: string };
          hub.blobStored([tenant], sha256);
        } catch {
          log('ignored a malformed blob notification');
        }
      },
      () => undefined,
    )
    .catch((error: Error) => log('blob notifications not available', { reason: error.message }));

  // Several server processes on one PostgreSQL share its directory once it holds one (`directory migrate`).
  if (db.kind === 'postgres') {
    const shared = new PgDirectoryStore(db);
    const active = () => databaseHoldsDirectory(db);
    // Subscribed before the first read, so no change falls between the two.
    await shared.subscribe((what) => void access.sharedChanged(shared, active, what));
    await access.follow(shared, active);
  }

  // The PBX's CDR files (when it cannot write into this database): read every second; new CDRs
  // update the budget firms' consumption, which the apps show and warn about (docs/billing.md).
  const cdrs = new CdrFileIngester(db, layout.cdrDir, log, () => usage.refresh());
  cdrs.start(options.cdrIngestIntervalMs ?? 1000);
  usage.start();

  // Without it, backups of the embedded database need the server stopped; the server still serves.
  const backups = await listenForBackups(options.home, db, log).catch((error: Error) => {
    log('backup socket not available', { reason: error.message });
    return undefined;
  });

  let publishRetry: NodeJS.Timeout | undefined;
  const publish = (): void => {
    clearTimeout(publishRetry);
    publisher.publish(access.directory).then(
      (count) => count > 0 && log('directory published', { fields: count }),
      (error: unknown) => {
        log('directory publication failed, retrying', { reason: (error as Error).message });
        publishRetry = setTimeout(publish, 2000);
      },
    );
  };
  publish();

  // Calls to closed firms the PBX spooled (also those from while the server was down): synced missed calls.
  let importing = false;
  const importCalls = (): void => {
    if (importing) return;
    importing = true;
    importMissedCalls(db, serverNodeId(layout.serverNodeId), layout.pbxDir, options.now)
      .then(
        (count) => count > 0 && log('missed calls of closed firms imported', { count }),
        (error: unknown) => log('missed calls not imported', { reason: (error as Error).message }),
      )
      .finally(() => (importing = false));
  };
  importCalls();
  const importTimer = setInterval(importCalls, 1000);
  importTimer.unref();

  const tlsFiles = () => ({
    key: readFileSync(layout.serverKey, 'utf8'),
    cert: readFileSync(layout.serverCert, 'utf8'),
    ca: readFileSync(layout.caCert, 'utf8'),
    ...(access.readCrl() ? { crl: access.readCrl()! } : {}),
  });
  const reports = new ReportService({
    db,
    source: options.billingSource ? options.billingSource(db) : new DbBillingSource(db, () => access.directory),
    tenantName: (tenant) => access.directory.tenants.find((t) => t.id === tenant)?.name,
    letterhead: () => readLetterhead(options.home),
    ...(options.now ? { now: options.now } : {}),
  });
  const app = buildApp({
    tls: tlsFiles(),
    reports,
    access,
    sync,
    hub,
    cursor: () => currentCursor(db),
    log,
    blobs: { db, store: blobStore },
    ...(options.wireVersions ? { wireVersions: options.wireVersions } : {}),
  });
  const { key, cert } = tlsFiles();
  const feedApp = buildFeedApp({ tls: { key, cert }, db, directory: () => access.directory, log });
  const sockets = new Set<Socket>();
  app.server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const feedSockets = new Set<Socket>();
  feedApp.server.on('secureConnection', (socket: Socket) => {
    feedSockets.add(socket);
    socket.once('close', () => feedSockets.delete(socket));
  });

  access.watch((what) => {
    if (what === 'directory') {
      publish();
      // Tenants added to or taken from a user, a role changed: the nudge index follows.
      hub.reindex();
    } else if (what === 'certificate') {
      // A renewed server certificate: new connections get it; open ones keep the old until they reconnect.
      try {
        const files = tlsFiles();
        setSecureContext(app.server, { ...files, minVersion: TLS_MIN_VERSION });
        setSecureContext(feedApp.server, { key: files.key, cert: files.cert, minVersion: TLS_MIN_VERSION });
        log('server certificate reloaded');
      } catch (error) {
        log('could not load the new server certificate, keeping the previous one', { reason: (error as Error).message });
      }
      return;
    } else {
      try {
        setSecureContext(app.server, { ...tlsFiles(), minVersion: TLS_MIN_VERSION });
      } catch (error) {
        log('could not load the new CRL', { reason: (error as Error).message });
        return;
      }
      // Kept-alive connections were verified against the old CRL: make every client handshake again.
      for (const socket of sockets) socket.destroy();
    }
    hub.prune((userId, serial) => access.allows(userId, serial));
  });

  const gcOptions = { ...DEFAULT_BLOB_GC, ...options.blobGc };
  let collecting = false;
  const blobGc = setInterval(
    () => {
      if (collecting) return;
      collecting = true;
      collectBlobs(db, gcOptions, blobStore.bytes)
        .then(
          (gone) => gone.length > 0 && log('document bytes collected', { blobs: gone.length }),
          (error: unknown) => log('document collection failed', { reason: (error as Error).message }),
        )
        .finally(() => (collecting = false));
    },
    options.blobGc?.intervalMs ?? 10 * 60_000,
  );
  blobGc.unref();
  await mailer?.start();

  const host = options.host ?? '127.0.0.1';
  const close = async (): Promise<void> => {
    clearTimeout(publishRetry);
    clearInterval(importTimer);
    clearInterval(blobGc);
    await mailer?.close();
    access.close();
    await cdrs.stop();
    await usage.stop();
    await backups?.close();
    for (const socket of [...sockets, ...feedSockets]) socket.destroy();
    await Promise.all([app.close(), feedApp.close()]);
    await db.close();
  };
  try {
    await app.listen({ port: options.port ?? 0, host });
    await feedApp.listen({ port: options.feedPort ?? 0, host });
  } catch (error) {
    // A taken port must not leave the other listener, the watcher or the database open.
    await close().catch(() => undefined);
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const feedPort = (feedApp.server.address() as AddressInfo).port;
  return { url: `https://${host}:${port}`, port, feedUrl: `https://${host}:${feedPort}`, feedPort, db, close };
}

/** Fastify types its server as http.Server; with `https` options it is a tls.Server underneath. */
function setSecureContext(server: unknown, options: object): void {
  (server as { setSecureContext(o: object): void }).setSecureContext(options);
}
