import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { readDirectory, servesTenant, type Directory, type DirectoryUserEntry } from '../home/directory.js';
import type { HomeLayout } from '../home/layout.js';
import { CRAFTSMAN_MAIL_FIELDS, CRAFTSMAN_WRITABLE_MAIL_FIELDS } from '../../protocol/mail.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import { BILLING_TABLES, LEAD_FIELDS, LEAD_TABLES, type SyncTable } from '../../protocol/sync.js';
import { SyncHttpError } from '../sync/errors.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;
type Change = 'directory' | 'crl' | 'certificate';

/** Serials compare as bare lowercase hex: openssl, Node and the admin CLI disagree on colons and zeros. */
export function normaliseSerial(serial: string): string {
  return serial
    .replace(/[^0-9a-fA-F]/g, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
}

export interface Caller {
  user: DirectoryUserEntry;
  serial: string;
}

/**
 * Who may do what: the directory (users, their tenants, revoked serials) and the CRL, reloaded when
 * the files change — or, once PostgreSQL holds the directory (follow), on its NOTIFY. fs.watch can
 * miss renames on some file systems, so a periodic mtime check backs it up.
 */
export class AccessControl {
  private current: Directory;
  private revoked = new Set<string>();
  /** The current directory's users by id, and the tenants each serves (filled on first ask). */
  private users = new Map<string, DirectoryUserEntry>();
  private served = new Map<string, readonly string[]>();
  private stamps = new Map<string, number>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  /** Set once the directory and CRL come from PostgreSQL: then the home's files no longer count. */
  private shared: { store: DirectoryStore; crl: string | undefined } | undefined;
  private onChange: ((what: Change) => void) | undefined;
  private sharedReload: Promise<void> = Promise.resolve();

  constructor(
    private readonly layout: HomeLayout,
    private readonly log: Log,
  ) {
    this.current = readDirectory(layout.directory);
    this.index();
    this.stamp();
  }

  get directory(): Directory {
    return this.current;
  }

  readCrl(): string | undefined {
    if (this.shared) return this.shared.crl;
    return existsSync(this.layout.crl) ? readFileSync(this.layout.crl, 'utf8') : undefined;
  }

  /**
   * Starts watching; `onChange` hears which file changed after it has been reloaded. `certificate`
   * is the server's own TLS certificate (`ca server-cert` renews it; the key is renamed into place
   * before it).
   */
  watch(onChange: (what: Change) => void, intervalMs = 1000): void {
    this.onChange = onChange;
    const check = (): void => {
      for (const [file, what] of [
        [this.layout.directory, 'directory'],
        [this.layout.crl, 'crl'],
        [this.layout.serverCert, 'certificate'],
      ] as const) {
        if (this.shared && what !== 'certificate') continue;
        const now = mtime(file);
        if (now === this.stamps.get(file)) continue;
        this.stamps.set(file, now);
        if (what === 'directory') {
          try {
            this.current = readDirectory(file);
            this.index();
          } catch (error) {
            // A half-edited directory must not lock everyone out: keep the last good one.
            this.log('directory unreadable, keeping the previous one', { reason: (error as Error).message });
            continue;
          }
        }
        this.log(`${what} reloaded`);
        onChange(what);
      }
    };
    const soon = (): void => {
      clearTimeout(this.pending);
      this.pending = setTimeout(check, 50);
    };
    for (const dir of new Set([dirname(this.layout.directory), dirname(this.layout.crl), dirname(this.layout.serverCert)])) {
      if (!existsSync(dir)) continue;
      try {
        this.watchers.push(watch(dir, soon));
      } catch {
        // the periodic check still runs
      }
    }
    this.timer = setInterval(check, intervalMs);
    this.timer.unref();
  }

  /**
   * From now on the directory and the CRL are `store`'s (PostgreSQL): read now, and again on every
   * sharedChanged (its NOTIFY). `active` says whether the database holds a directory at all; until it
   * does (`directory migrate`), the home's files stay in force and each NOTIFY asks again.
   */
  async follow(store: DirectoryStore, active: () => Promise<boolean>): Promise<void> {
    if (await active()) await this.loadShared(store);
  }

  /** Called for each NOTIFY of the shared directory; reloads one after another, newest state last. */
  sharedChanged(store: DirectoryStore, active: () => Promise<boolean>, what: 'directory' | 'crl'): Promise<void> {
    this.sharedReload = this.sharedReload.then(async () => {
      try {
        if (!this.shared && !(await active())) return;
        const switching = !this.shared;
        await this.loadShared(store);
        this.log(switching ? 'directory now read from PostgreSQL' : `${what} reloaded from PostgreSQL`);
        // A switch changes both at once.
        if (switching) {
          this.onChange?.('crl');
          this.onChange?.('directory');
        } else this.onChange?.(what);
      } catch (error) {
        // An unreadable database must not lock everyone out: keep the last good directory.
        this.log('shared directory not reloaded, keeping the previous one', { reason: (error as Error).message });
      }
    });
    return this.sharedReload;
  }

  private async loadShared(store: DirectoryStore): Promise<void> {
    const [directory, crl] = await Promise.all([store.read(), store.readCrl()]);
    this.current = directory;
    this.index();
    this.shared = { store, crl };
  }

  close(): void {
    for (const w of this.watchers) w.close();
    clearInterval(this.timer);
    clearTimeout(this.pending);
  }

  /** The caller behind a verified client certificate, or the refusal to send. */
  identify(cert: PeerCertificate | undefined): Caller {
    if (!cert?.subject?.CN) throw new SyncHttpError(403, 'no_certificate', 'a client certificate with a CN is required');
    const cn = Array.isArray(cert.subject.CN) ? String(cert.subject.CN[0]) : cert.subject.CN;
    const serial = normaliseSerial(cert.serialNumber ?? '');
    if (this.revoked.has(serial)) {
      throw new SyncHttpError(403, 'certificate_revoked', `certificate ${serial} of ${cn} has been revoked`);
    }
    const user = this.users.get(cn);
    if (!user) throw new SyncHttpError(403, 'unknown_user', `user ${cn} is not in the directory`);
    return { user, serial };
  }

  allows(userId: string, serial: string): boolean {
    return !this.revoked.has(serial) && this.users.has(userId);
  }

  /**
   * The one decision of who may read and write a tenant's data. Push, pull, the live socket's nudges
   * and /directory/me all ask here (directly or through tenantsServed), never the directory itself.
   * A lead serves every tenant of the current directory, so a firm added later is hers at once.
   */
  mayServe(user: DirectoryUserEntry, tenant: string): boolean {
    return servesTenant(this.current, user, tenant);
  }

  /**
   * Whether `user` may write `table` of `tenant`, given that he serves it: a firm's schedule is edited
   * by its own craftsmen (and the server); the teleworkers who answer for the firm only read it.
   */
  mayWrite(user: DirectoryUserEntry, tenant: string, table: SyncTable, field?: string): boolean {
    if (!this.mayServe(user, tenant)) return false;
    // Contracts, billed items and the confirmation of "nicht berechnen" are the office lead's alone.
    if (LEAD_TABLES.includes(table) || (field !== undefined && LEAD_FIELDS[table]?.includes(field))) return user.role === 'lead';
    // The office registers a firm's mail; its craftsman marks it read, confirms disposal and may move its status.
    if (table === 'mail_item' && field !== undefined) {
      return user.role === 'craftsman' ? CRAFTSMAN_WRITABLE_MAIL_FIELDS.includes(field) : !CRAFTSMAN_MAIL_FIELDS.includes(field);
    }
    // A firm's schedule is the craftsman's own (his firm only, by mayServe) and the office lead's, who runs every firm.
    return table !== 'firm_schedule' || user.role === 'craftsman' || user.role === 'lead';
  }

  /**
   * Tables of its served tenants that a pull leaves out for `user`: a teleworker answers for a firm
   * but does not see its contract or what it is billed; a craftsman sees his own firm's.
   */
  hiddenTables(user: DirectoryUserEntry): SyncTable[] {
    return user.role === 'teleworker' ? [...BILLING_TABLES] : [];
  }

  /** Whether `user` may read a firm's billing (contract, metered calls, report): its craftsman and the lead. */
  mayReadBilling(user: DirectoryUserEntry, tenant: string): boolean {
    return user.role !== 'teleworker' && this.mayServe(user, tenant);
  }

  /** Every tenant `user` may serve, in the user's own order first: what a pull returns. */
  tenantsServed(user: DirectoryUserEntry): string[] {
    // Through mayServe, not servedTenants: a narrower rule put in mayServe must hold here too.
    const known = new Set([...user.tenants, ...this.current.tenants.map((t) => t.id)]);
    return [...known].filter((tenant) => this.mayServe(user, tenant));
  }

  /**
   * The tenants the directory user `userId` serves now, or undefined once that user has left the
   * directory. Every commit asks this for the users it may nudge, so it is a lookup, not a search.
   */
  tenantsOf(userId: string): readonly string[] | undefined {
    const known = this.served.get(userId);
    if (known) return known;
    const user = this.users.get(userId);
    if (!user) return undefined;
    const tenants = this.tenantsServed(user);
    this.served.set(userId, tenants);
    return tenants;
  }

  /** Called whenever `current` is replaced: every answer derived from the old directory is void. */
  private index(): void {
    // The first entry of an id wins, as a search through the list would find it.
    this.users = new Map();
    for (const user of this.current.users) if (!this.users.has(user.id)) this.users.set(user.id, user);
    this.served = new Map();
    this.revoked = new Set(
      [...this.current.users.flatMap((u) => u.certificates), ...(this.current.removedCertificates ?? [])]
        .filter((c) => c.revokedAt)
        .map((c) => normaliseSerial(c.serial)),
    );
  }

  private stamp(): void {
    this.stamps.set(this.layout.directory, mtime(this.layout.directory));
    this.stamps.set(this.layout.crl, mtime(this.layout.crl));
    this.stamps.set(this.layout.serverCert, mtime(this.layout.serverCert));
  }
}

function mtime(file: string): number {
  try {
    const s = statSync(file);
    return s.mtimeMs + s.size;
  } catch {
    return -1;
  }
}
