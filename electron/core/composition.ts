import { join } from 'node:path';
import type { ShellKind } from '../../protocol/index.js';
import { appHandlers } from './app/app-handlers.js';
import { inertDesktop, type DesktopPort } from './desktop/desktop-port.js';
import { desktopHandlers } from './desktop/desktop-handlers.js';
import { directoryHandlers } from './directory/directory-handlers.js';
import { HostEventBus } from './events.js';
import { identityHandlers } from './identity/identity-handlers.js';
import { IdentityService } from './identity/identity-service.js';
import { defaultPolicyFile, installationPins } from './identity/install-policy.js';
import { KeytarSecretStore } from './identity/keytar-store.js';
import { SafeStorageSecretStore, type SafeStoragePort } from './identity/safe-storage-store.js';
import type { SecretStore } from './identity/secret-store.js';
import { BlobCache } from './blobs/blob-cache.js';
import { BlobHttpClient } from './blobs/blob-http.js';
import { BlobUploader } from './blobs/blob-uploader.js';
import type { DocumentDialogPort } from './documents/dialog-port.js';
import { documentHandlers } from './documents/document-handlers.js';
import { DocumentPrefetcher } from './documents/document-prefetch.js';
import { DocumentService } from './documents/document-service.js';
import { IntakeWatcher } from './documents/intake-watcher.js';
import { createDispatcher, type Dispatch, type HostHandlers } from './host-api/dispatch.js';
import { FileLogger, type LogContext, type Logger } from './log/logger.js';
import { SettingsStore } from './settings/settings-store.js';
import { LocalStore } from './store/store.js';
import { storeHandlers } from './store/store-handlers.js';
import { firmScheduleHandlers } from './store/firm-schedule-handlers.js';
import { FirmScheduleRepository } from './store/firm-schedules.js';
import { watchMailArrivals } from './store/mail-arrivals.js';
import { mailHandlers } from './store/mail-handlers.js';
import { MailRegister } from './store/mail-register.js';
import { PbxConnection, type PbxEndpoint } from './pbx/pbx-connection.js';
import { pbxHandlers } from './pbx/pbx-handlers.js';
import { ServerClock } from './sync/server-clock.js';
import { SyncEngine, type SyncEndpoint } from './sync/sync-engine.js';
import { billingHandlers } from './sync/billing-handlers.js';
import { syncHandlers } from './sync/sync-handlers.js';

export interface CoreOptions {
  /** One directory per profile: settings, database, logs, key material. */
  profileDir: string;
  appVersion: string;
  shell: ShellKind;
  platform?: string;
  /** Mirrors log lines, e.g. to stderr in the browser shell. */
  echoLog?: (line: string) => void;
  /** Tray, notifications, updater of the Electron shell; the browser shell has none. */
  desktop?: DesktopPort;
  /** PBX URL and client certificate; by default the identity bundle's pbxUrl and certificate. */
  pbxEndpoint?: () => PbxEndpoint | undefined;
  /** Sync server URL and client TLS; by default the identity bundle's serverUrl and certificate. */
  syncEndpoint?: () => SyncEndpoint | undefined;
  /** IT's machine-wide policy file (CA pins); default per OS, see identity/install-policy.ts. */
  policyFile?: string;
  /** Electron's safeStorage (electron/main/safe-storage.ts): the keychain fallback where keytar fails. */
  safeStorage?: SafeStoragePort;
  /** Replaces keytar/safeStorage (tests: MemorySecretStore, or keytar under a test keyring). */
  secretStores?: SecretStore[];
  /** Electron's open and save dialogs for documents; the browser shell has none (`dialog_unavailable`). */
  documentDialogs?: DocumentDialogPort;
  /** Whether pulled documents are downloaded at once; by default only in a craftsman's app. */
  documentPrefetch?: boolean;
}

export interface Core {
  dispatch: Dispatch;
  events: HostEventBus;
  log: Logger;
  /** For other core services and tests: tlsOptions(), endpoints(), summary() (identity-service.ts). */
  identity: IdentityService;
  close(): Promise<void>;
}

const CLOCK_OFFSET_META = 'clock_offset';

/** The composition root: every core service is built here, and only here, from a profile directory. */
export function createCore(options: CoreOptions): Core {
  const log = new FileLogger(join(options.profileDir, 'logs'), 'core', options.echoLog);
  const events = new HostEventBus();
  const settings = new SettingsStore(join(options.profileDir, 'settings.json'), log.child('settings'));
  // Versions, call times and history are stamped in the sync server's time: a computer whose clock
  // is wrong must neither pin a field ahead nor lose its edits behind (docs/sync-protocol.md, "Clocks").
  const clock = new ServerClock({ log: log.child('clock') });
  const store = LocalStore.open(join(options.profileDir, 'vermittlung.db'), {
    log: log.child('store'),
    onChanged: (change) => events.emit('store.changed', change),
    now: () => new Date(clock.now()),
  });
  // Until the first answer of this run, the last run's estimate: a clock that was wrong then most
  // likely still is (a time zone, a dead CMOS battery).
  clock.assume(Number(store.writer.meta(CLOCK_OFFSET_META) ?? NaN));
  clock.onChange((offset) => store.writer.setMeta(CLOCK_OFFSET_META, String(offset)));

  const identityDir = join(options.profileDir, 'identity');
  const identity = new IdentityService({
    dir: identityDir,
    secretStores: options.secretStores ?? [
      new KeytarSecretStore(),
      ...(options.safeStorage ? [new SafeStorageSecretStore(options.safeStorage, join(identityDir, 'keys'))] : []),
    ],
    log: log.child('identity'),
    pinnedCaSha256: installationPins(options.policyFile ?? defaultPolicyFile(), log.child('identity')),
  });
  identity.ready().catch((error: unknown) => log.error('identity load failed', { reason: String(error) }));
  // One identity for PBX and server: the imported certificate and the URLs of its bundle.
  const viaIdentity = (pick: (endpoints: { pbxUrl: string; serverUrl: string }) => string) => (): PbxEndpoint | undefined => {
    const tls = identity.tlsOptions();
    const endpoints = identity.endpoints();
    return tls && endpoints ? { url: pick(endpoints), tls } : undefined;
  };
  const pbx = new PbxConnection({
    endpoint: options.pbxEndpoint ?? viaIdentity((e) => e.pbxUrl),
    whyNoEndpoint: () => {
      const summary = identity.summary();
      return summary && Date.parse(summary.notAfter) <= Date.now() ? 'certificate_expired' : 'no_identity';
    },
    log: log.child('pbx'),
  });
  const syncEndpoint = options.syncEndpoint ?? viaIdentity((e) => e.serverUrl);
  const sync = new SyncEngine({
    store: store.sync,
    clock,
    serverUrl: () => syncEndpoint()?.url,
    tls: () => syncEndpoint()?.tls,
    log: log.child('sync'),
  });
  sync.onStatus((status) => events.emit('sync.status', status));
  events.subscribe((e) => {
    if (e.event === 'store.changed' && e.payload.source !== 'sync') sync.notifyLocalChange();
  });

  // Documents: the bytes travel beside the records, over the same server and certificate; the
  // upload queue runs while sync runs and is tried again as soon as the server answers.
  const blobHttp = new BlobHttpClient(
    () => syncEndpoint()?.url,
    () => syncEndpoint()?.tls,
  );
  const cacheLimit = () => settings.get().documentCacheBytes;
  const blobCache = new BlobCache(store.db, join(options.profileDir, 'documents'), blobHttp, cacheLimit);
  const uploader = new BlobUploader(store.db, blobCache, blobHttp, {
    log: (m, f) => log.child('documents').info(m, f as LogContext),
  });
  sync.onStatus((status) => {
    if (status.state === 'online') uploader.nudge();
  });
  const prefetcher = new DocumentPrefetcher({
    db: store.db,
    cache: blobCache,
    limitBytes: cacheLimit,
    enabled: () => options.documentPrefetch ?? identity.summary()?.role === 'craftsman',
    log: log.child('documents'),
  });
  events.subscribe((e) => {
    if (e.event === 'store.changed' && e.payload.source === 'sync' && e.payload.table === 'document') {
      prefetcher.pulled(e.payload.ids);
    }
  });
  sync.onBlobStored((sha256) => prefetcher.stored(sha256));
  const intake = new IntakeWatcher({
    folder: () => settings.get().intakeFolder,
    onChange: (files) => events.emit('intake.changed', files),
    log: log.child('intake'),
  });
  events.subscribe((e) => {
    if (e.event !== 'settings.changed') return;
    intake.start();
    // A lowered cache limit holds at once, not only at the next download.
    blobCache.evict();
  });
  const documents = new DocumentService({
    store,
    cache: blobCache,
    uploader,
    intake,
    ...(options.documentDialogs ? { dialogs: options.documentDialogs } : {}),
    log: log.child('documents'),
  });

  sync.start();
  uploader.start();
  intake.start();

  // A craftsman edits his own firms' schedules, the lead every firm's, a teleworker none (the server says the same).
  const schedules = new FirmScheduleRepository(
    store.writer,
    (tenant) => {
      const summary = identity.summary();
      if (summary?.role === 'lead') return true;
      return summary?.role === 'craftsman' && summary.tenants.some((t) => t.id === tenant);
    },
    () => identity.summary()?.role === 'lead',
  );

  // The register acts as the profile's identity; the server checks the same roles on push (docs/security.md).
  const mail = new MailRegister(store.writer, {
    actor: () => {
      const summary = identity.summary();
      return summary && { user: summary.user, role: summary.role, tenants: summary.tenants.map((t) => t.id) };
    },
    retentionYears: () => settings.get().mailRetentionYears,
  });
  watchMailArrivals(
    store.db,
    mail,
    events,
    (tenant) => {
      const summary = identity.summary();
      return summary?.role === 'lead' || Boolean(summary?.tenants.some((t) => t.id === tenant));
    },
    store.writer.now,
  );

  // One handler table per capability; the type makes a missing or misspelt method a compile error.
  const handlers: HostHandlers = {
    ...appHandlers({
      appVersion: options.appVersion,
      platform: options.platform ?? process.platform,
      shell: options.shell,
      settings,
      events,
      rendererLog: log.child('renderer'),
    }),
    ...desktopHandlers({ port: options.desktop ?? inertDesktop(options.appVersion), settings }),
    ...storeHandlers({ store, events, log: log.child('store') }),
    ...firmScheduleHandlers(store, schedules),
    ...mailHandlers(store, mail),
    ...pbxHandlers({ connection: pbx, events }),
    ...syncHandlers(sync),
    ...billingHandlers({ endpoint: syncEndpoint, log: log.child('billing') }),
    ...directoryHandlers({
      endpoint: syncEndpoint,
      log: log.child('directory'),
      onLoaded: (me) => store.lookup.seedTenants(me.tenants),
    }),
    ...identityHandlers(identity, events),
    ...documentHandlers(documents, intake),
  };

  log.info('core started', { shell: options.shell, version: options.appVersion });
  return {
    dispatch: createDispatcher(handlers, log.child('host-api')),
    events,
    log,
    identity,
    close: async () => {
      intake.stop();
      prefetcher.stop();
      await Promise.all([sync.stop(), uploader.stop()]);
      await prefetcher.idle();
      blobHttp.close();
      pbx.close();
      store.close();
      log.info('core stopped');
    },
  };
}
