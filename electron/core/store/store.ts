import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CountryCode } from 'libphonenumber-js';
import type { ImportReport, ImportRequest, StoreChanged } from '../../../protocol/index.js';
import type { Logger } from '../log/logger.js';
import { ActivityRepository } from './activity.js';
import { ContactRepository } from './contacts.js';
import { importContacts } from './import/importer.js';
import { restoreNameIndexes } from './import/name-indexes.js';
import { importInWorker, type ChangedIds, type WorkerEntry } from './import/worker-host.js';
import { toVcard } from './import/vcard-export.js';
import { LookupService } from './lookup.js';
import { openDatabase, type Db, type OpenOptions } from './open.js';
import { PhoneNormaliser } from './phone-normaliser.js';
import { StoreSyncPort } from './sync-port.js';
import { newNodeId, RecordWriter } from './writer.js';

/** Contacts per slice of an export (~10 ms of the main thread each). */
const EXPORT_SLICE = 500;

export interface LocalStoreOptions extends OpenOptions {
  /** Default region for numbers written without a country code. */
  region?: CountryCode;
  onChanged?: (event: StoreChanged) => void;
  now?: () => Date;
  /** Imports run in a worker thread unless false (then on the main thread, in batches). */
  importInWorker?: boolean;
  /** Where the import worker's entry is; tests point it elsewhere (defaultWorkerEntry()). */
  importWorker?: WorkerEntry;
}

/** The profile's local database and the services over it (docs/store.md). */
export class LocalStore {
  readonly writer: RecordWriter;
  readonly contacts: ContactRepository;
  readonly activity: ActivityRepository;
  readonly lookup: LookupService;
  readonly sync: StoreSyncPort;
  readonly phones: PhoneNormaliser;

  private constructor(
    readonly db: Db,
    readonly file: string,
    readonly recoveredFrom: string | null,
    private readonly options: LocalStoreOptions,
  ) {
    this.phones = new PhoneNormaliser(options.region ?? 'DE');
    const now = options.now;
    this.writer = new RecordWriter(db, this.phones, now ? { now: () => now().getTime() } : {});
    this.contacts = new ContactRepository(this.writer);
    this.lookup = new LookupService(this.writer, this.phones, this.contacts);
    this.activity = new ActivityRepository(this.writer, (n, t) => this.lookup.contactForNumber(n, t));
    this.sync = new NotifyingSyncPort(this.writer, options.log, () => this.notify('sync'));
    this.searchRebuilt = this.finishSearchRebuild();
  }

  /**
   * Resolves when a search index rebuild asked for by a migration is complete (at once when none
   * is). The rest of a large rebuild runs here in slices with a turn of the event loop between them,
   * because in one go a large address book keeps the main process busy for seconds at start. Never rejects.
   */
  readonly searchRebuilt: Promise<void>;

  private async finishSearchRebuild(): Promise<void> {
    try {
      while (this.db.open && this.writer.search.rebuildPending()) {
        await yieldToLoop();
        if (this.db.open) this.writer.search.rebuildSlice();
      }
    } catch (error) {
      // The mark stays: the next open goes on from the last slice done.
      this.options.log?.error('search index rebuild stopped', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  static open(file: string, options: LocalStoreOptions = {}): LocalStore {
    const { db, recoveredFrom } = openDatabase(file, options);
    return new LocalStore(db, file, recoveredFrom, options);
  }

  /** Runs a local write and tells listeners which records changed. */
  write<T>(fn: () => T): T {
    try {
      return fn();
    } finally {
      this.notify('local');
    }
  }

  async import(request: ImportRequest, onProgress?: (report: ImportReport) => void): Promise<ImportReport> {
    if (this.options.importInWorker === false || this.file === ':memory:') {
      return importContacts(this.writer, this.phones, request, {
        onProgress: (report) => {
          this.notify('import');
          onProgress?.(report);
        },
      });
    }
    const changed = (list: ChangedIds[]) => {
      for (const { table, ids } of list) if (ids.length > 0) this.options.onChanged?.({ table, ids, source: 'import' });
    };
    return importInWorker(
      {
        file: this.file,
        region: this.phones.region,
        nodeId: newNodeId(this.writer.clock.node),
        clockOffset: this.writer.now() - Date.now(),
        request,
      },
      {
        onProgress: (report, ids) => {
          changed(ids);
          onProgress?.(report);
        },
        onDone: (lastVersion, ids) => {
          if (lastVersion) this.writer.observe(lastVersion);
          changed(ids);
        },
      },
      this.options.importWorker,
    ).catch((error: unknown) => {
      // A worker that died may have left the name indexes dropped; the next open restores them
      // otherwise (a busy database within busy_timeout).
      try {
        restoreNameIndexes(this.db);
      } catch {
        // left to the next open
      }
      throw error;
    });
  }

  /**
   * vCard 4.0 of the selection, built in slices of EXPORT_SLICE contacts with a turn of the event
   * loop between them: an export of 100,000 contacts takes about two seconds, and the main process must
   * answer a ringing call's lookup meanwhile. Contacts deleted while it runs are left out.
   */
  async exportVcard(filter: {
    tenant?: string | undefined;
    ids?: string[] | undefined;
  }): Promise<{ text: string; count: number }> {
    const ids =
      filter.ids ??
      (filter.tenant === undefined
        ? (this.db.prepare('SELECT id FROM contact WHERE _deleted = 0 ORDER BY name').pluck().all() as string[])
        : (this.db
            .prepare('SELECT id FROM contact WHERE _deleted = 0 AND tenant_id = ? ORDER BY name')
            .pluck()
            .all(filter.tenant) as string[]));
    const cards: string[] = [];
    for (let i = 0; i < ids.length; i += EXPORT_SLICE) {
      if (i > 0) await yieldToLoop();
      // A deleted or unknown id in the selection is left out.
      for (const contact of this.contacts.getMany(ids.slice(i, i + EXPORT_SLICE))) {
        if (filter.tenant === undefined || contact.tenant === filter.tenant) cards.push(toVcard(contact));
      }
    }
    return { text: cards.join(''), count: cards.length };
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  contactCount(): number {
    return this.db.prepare('SELECT count(*) FROM contact WHERE _deleted = 0').pluck().get() as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private notify(source: StoreChanged['source']): void {
    for (const [table, ids] of this.writer.takeChanged()) {
      if (ids.size > 0) this.options.onChanged?.({ table, ids: [...ids].slice(0, 1000), source });
    }
  }
}

/** Pulled pages change records the UI shows: tell it after each one. */
class NotifyingSyncPort extends StoreSyncPort {
  constructor(
    writer: RecordWriter,
    log: Logger | undefined,
    private readonly after: () => void,
  ) {
    super(writer, log);
  }

  override applyPulled(...args: Parameters<StoreSyncPort['applyPulled']>): ReturnType<StoreSyncPort['applyPulled']> {
    try {
      return super.applyPulled(...args);
    } finally {
      this.after();
    }
  }
}
