import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { readDirectory, servesTenant, type Directory, type DirectoryUserEntry } from '../home/directory.js';
import type { HomeLayout } from '../home/layout.js';
import { CRAFTSMAN_MAIL_FIELDS, CRAFTSMAN_WRITABLE_MAIL_FIELDS } from '../../protocol/mail.js';
import { BILLING_TABLES, LEAD_FIELDS, LEAD_TABLES, type SyncTable } from '../../protocol/sync.js';
import { SyncHttpError } from '../sync/errors.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

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
 * the files change. fs.watch can miss renames on some file systems, so a periodic mtime check backs
 * it up.
 */
export class AccessControl {
  private current: Directory;
  private revoked = new Set<string>();
  private stamps = new Map<string, number>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly layout: HomeLayout,
    private readonly log: Log,
  ) {
    this.current = readDirectory(layout.directory);
    this.indexRevoked();
    this.stamp();
  }

  get directory(): Directory {
    return this.current;
  }

  readCrl(): string | undefined {
    return existsSync(this.layout.crl) ? readFileSync(this.layout.crl, 'utf8') : undefined;
  }

  /**
   * Starts watching; `onChange` hears which file changed after it has been reloaded. `certificate`
   * is the server's own TLS certificate (`ca server-cert` renews it; the key is renamed into place
   * before it).
   */
  watch(onChange: (what: 'directory' | 'crl' | 'certificate') => void, intervalMs = 1000): void {
    const check = (): void => {
      for (const [file, what] of [
        [this.layout.directory, 'directory'],
        [this.layout.crl, 'crl'],
        [this.layout.serverCert, 'certificate'],
      ] as const) {
        const now = mtime(file);
        if (now === this.stamps.get(file)) continue;
        this.stamps.set(file, now);
        if (what === 'directory') {
          try {
            this.current = readDirectory(file);
            this.indexRevoked();
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
    const user = this.current.users.find((u) => u.id === cn);
    if (!user) throw new SyncHttpError(403, 'unknown_user', `user ${cn} is not in the directory`);
    return { user, serial };
  }

  allows(userId: string, serial: string): boolean {
    return !this.revoked.has(serial) && this.current.users.some((u) => u.id === userId);
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

  /** The tenants the directory user `userId` serves now, or undefined once that user has left the directory. */
  tenantsOf(userId: string): string[] | undefined {
    const user = this.current.users.find((u) => u.id === userId);
    return user && this.tenantsServed(user);
  }

  private indexRevoked(): void {
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
