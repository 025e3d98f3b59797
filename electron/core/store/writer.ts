import { randomBytes } from 'node:crypto';
import {
  HostError,
  HybridLogicalClock,
  isSyncField,
  formatVersion,
  parseVersion,
  type FieldValue,
  type SyncTable,
} from '../../../protocol/index.js';
import { checkLimit, quoteIdent, toSql, type SqlValue } from './columns.js';
import type Database from 'better-sqlite3';
import type { Db } from './open.js';
import type { PhoneNormaliser } from './phone-normaliser.js';
import { SearchIndex } from './search-index.js';

const STAMPED = new Set<SyncTable>(['contact', 'note']);
// 6 parameters × 128 rows stays far below SQLite's 32,766 bound parameters; larger statements gain nothing.
const ROWS_PER_INSERT = 128;

export interface NewRecord {
  table: SyncTable;
  id: string;
  tenant: string;
  fields: Record<string, FieldValue>;
}
type Stmt = Database.Statement<unknown[], unknown>;

export interface WriterOptions {
  /** The clock versions and `created_at`/`updated_at` are stamped with: the server-corrected one in the app. */
  now?: () => number;
  /**
   * The HLC node id of this writer; by default the profile's own (`meta.node_id`). A second writer
   * on the same file at the same time (the import worker) needs its own: two clocks with one node
   * id can stamp two different writes with the same version.
   */
  node?: string;
}

/** A fresh HLC node id (16 lowercase hex), different from `other` when given. */
export function newNodeId(other?: string): string {
  for (;;) {
    const node = randomBytes(8).toString('hex');
    if (node !== other) return node;
  }
}

/**
 * The one place a field of a record is written. A local write sets the column, the field's HLC
 * version and an outbox entry in one transaction; a pulled write sets the column and the version
 * only. Derived data (E.164 columns, the firm-number table, the FTS index) is refreshed in the
 * same transaction, so a crash never leaves them out of step with the records.
 */
export class RecordWriter {
  readonly clock: HybridLogicalClock;
  readonly search: SearchIndex;
  private readonly stmts = new Map<string, Stmt>();
  private dirtyContacts = new Set<string>();
  private changed = new Map<SyncTable, Set<string>>();
  private lastVersion: string | null = null;
  readonly now: () => number;

  constructor(
    readonly db: Db,
    private readonly phones: PhoneNormaliser,
    options: WriterOptions = {},
  ) {
    let node = options.node ?? this.meta('node_id');
    if (!node) {
      node = newNodeId();
      this.setMeta('node_id', node);
    }
    this.tx = db.transaction((fn: () => unknown, outermost: boolean) => {
      const result = fn();
      if (outermost) this.flush();
      return result;
    });
    this.now = options.now ?? Date.now;
    // The clock's own last state, taken as it is: it may lie beyond the bound of `receive` when it
    // ticked on a wall clock that was wrong then; `rewindClock` pulls it back once that is known.
    const last = this.meta('hlc');
    const state = last ? parseVersion(last) : undefined;
    this.clock = new HybridLogicalClock(node, this.now, state && { ms: state.ms, counter: state.counter });
    this.search = new SearchIndex(db, phones);
  }

  meta(key: string): string | undefined {
    return (this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Runs `fn` in a transaction (a savepoint when nested) and refreshes derived data before commit. */
  transaction<T>(fn: () => T): T {
    // Derived data is refreshed once, by the outermost transaction: a contact written with three
    // numbers is indexed once, not four times.
    return this.tx(fn, !this.db.inTransaction) as T;
  }

  // One wrapper for all transactions: better-sqlite3 builds a new function per db.transaction() call.
  private readonly tx: (fn: () => unknown, outermost: boolean) => unknown;

  /** Ids written since the last call, per table, for `store.changed` events after commit. */
  takeChanged(): Map<SyncTable, Set<string>> {
    const changed = this.changed;
    this.changed = new Map();
    return changed;
  }

  /** Local write of several fields of one record; creates the row when it does not exist. */
  writeLocal(table: SyncTable, id: string, tenant: string, fields: Record<string, FieldValue>): void {
    for (const [field, value] of Object.entries(fields)) {
      if (!isSyncField(table, field)) throw new HostError('validation', `${table}.${field} is not a field`, field);
      checkLimit(field, value);
    }
    this.transaction(() => {
      this.ensureRow(table, id, tenant);
      for (const [field, value] of Object.entries(fields)) {
        const version = this.clock.tick();
        const before = this.beforeWrite(table, id, field);
        this.setColumn(table, id, field, value);
        this.setVersion(table, id, field, version);
        this.stmt('INSERT INTO outbox(tbl, record_id, tenant_id, field, value, version) VALUES (?, ?, ?, ?, ?, ?)').run(
          table,
          id,
          tenant,
          field,
          JSON.stringify(value),
          version,
        );
        this.afterWrite(table, id, field, before);
        this.lastVersion = version;
      }
    });
  }

  /**
   * Local creation of a new record: one INSERT of the whole row instead of a row and an UPDATE
   * per field, then the versions and outbox entries as above.
   */
  insertLocal(table: SyncTable, id: string, tenant: string, fields: Record<string, FieldValue>): void {
    this.insertLocalMany([{ table, id, tenant, fields }]);
  }

  /**
   * Creation of many new records at once (imports write 100,000 of these): every value is checked
   * before anything is written, so a refused record leaves no trace; the versions and outbox
   * entries go in as multi-row INSERTs, which costs a fraction of one statement per field.
   */
  insertLocalMany(records: readonly NewRecord[]): void {
    this.check(records);
    this.transaction(() => {
      const versions: SqlValue[] = [];
      const outbox: SqlValue[] = [];
      for (const { table, id, tenant, fields } of records) {
        this.insertRow(table, id, tenant, fields);
        for (const field of Object.keys(fields)) {
          const v = this.clock.tick();
          versions.push(table, id, field, v);
          outbox.push(table, id, tenant, field, JSON.stringify(fields[field]), v);
          this.lastVersion = v;
        }
      }
      this.insertRows('field_version(tbl, id, field, version)', 4, versions);
      this.insertRows('outbox(tbl, record_id, tenant_id, field, value, version)', 6, outbox);
    });
  }

  /** Throws the HostError a write of these records would raise, before anything is written. */
  check(records: readonly NewRecord[]): void {
    for (const { table, fields } of records) {
      for (const field of Object.keys(fields)) {
        if (!isSyncField(table, field)) throw new HostError('validation', `${table}.${field} is not a field`, field);
        checkLimit(field, fields[field]!);
      }
    }
  }

  private insertRow(table: SyncTable, id: string, tenant: string, fields: Record<string, FieldValue>): void {
    const names = Object.keys(fields);
    const columns = ['id', 'tenant_id', ...names];
    const values: SqlValue[] = [id, tenant, ...names.map((f) => toSql(table, f, fields[f]!))];
    if (STAMPED.has(table)) {
      const now = new Date(this.now()).toISOString();
      columns.push('created_at', 'updated_at');
      values.push(now, now);
    }
    if (table === 'contact_phone' && typeof fields.number === 'string') {
      const e164 = this.phones.e164(fields.number);
      columns.push('e164', 'valid');
      values.push(e164, e164 ? 1 : 0);
    }
    if (table === 'call' && typeof fields.remote_number === 'string') {
      columns.push('remote_e164');
      values.push(this.phones.e164(fields.remote_number));
    }
    this.stmt(
      `INSERT INTO ${quoteIdent(table)}(${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    ).run(...values);
    let ids = this.changed.get(table);
    if (!ids) this.changed.set(table, (ids = new Set()));
    ids.add(id);
    if (table === 'contact') this.dirtyContacts.add(id);
    if (table === 'contact_phone' && typeof fields.contact_id === 'string') this.dirtyContacts.add(fields.contact_id);
    if (table === 'tenant') this.rebuildTenantNumbers(id);
  }

  /** `values` holds `width` parameters per row; written in chunks of up to ROWS_PER_INSERT rows. */
  private insertRows(target: string, width: number, values: SqlValue[]): void {
    const rows = values.length / width;
    const tuple = `(${new Array(width).fill('?').join(', ')})`;
    for (let first = 0; first < rows; first += ROWS_PER_INSERT) {
      const n = Math.min(ROWS_PER_INSERT, rows - first);
      this.stmt(`INSERT INTO ${target} VALUES ${new Array(n).fill(tuple).join(', ')}`).run(
        ...values.slice(first * width, (first + n) * width),
      );
    }
  }

  /** A pulled field, already known to be newer than the local version. */
  applyRemote(table: SyncTable, id: string, tenant: string, field: string, value: FieldValue, version: string): void {
    this.ensureRow(table, id, tenant);
    const before = this.beforeWrite(table, id, field);
    this.setColumn(table, id, field, value);
    this.setVersion(table, id, field, version);
    this.afterWrite(table, id, field, before);
  }

  /** Server-owned data seen outside sync (the directory): written without a version, so any pull wins. */
  writeUnversioned(table: SyncTable, id: string, tenant: string, fields: Record<string, FieldValue>): void {
    this.transaction(() => {
      this.ensureRow(table, id, tenant);
      for (const [field, value] of Object.entries(fields)) {
        if (this.version(table, id, field) !== undefined) continue;
        const before = this.beforeWrite(table, id, field);
        this.setColumn(table, id, field, value);
        this.afterWrite(table, id, field, before);
      }
    });
  }

  /**
   * The field's version: its own row, else the version the whole record was created with in bulk
   * (`_v`, migration 006). A field's own row is always newer than `_v`: it is written after.
   */
  version(table: SyncTable, id: string, field: string): string | undefined {
    const sql = `SELECT coalesce((SELECT version FROM field_version WHERE tbl = @table AND id = @id AND field = @field),
      (SELECT _v FROM ${quoteIdent(table)} WHERE id = @id)) AS version`;
    return (this.stmt(sql).get({ table, id, field }) as { version: string | null }).version ?? undefined;
  }

  /** The next local version, remembered as the clock's state when the transaction commits. */
  stampVersion(): string {
    const version = this.clock.tick();
    this.lastVersion = version;
    return version;
  }

  /** Notes a record written outside the methods here (bulk inserts), for `takeChanged`. */
  markChanged(table: SyncTable, id: string): void {
    let ids = this.changed.get(table);
    if (!ids) this.changed.set(table, (ids = new Set()));
    ids.add(id);
  }

  /** The tenant a record belongs to, or undefined when it does not exist. */
  tenantOf(table: SyncTable, id: string): string | undefined {
    return (this.stmt(`SELECT tenant_id FROM ${quoteIdent(table)} WHERE id = ?`).get(id) as { tenant_id: string } | undefined)
      ?.tenant_id;
  }

  private ensureRow(table: SyncTable, id: string, tenant: string): void {
    const existing = this.tenantOf(table, id);
    if (existing !== undefined) {
      if (existing !== tenant) throw new HostError('conflict', `${table} ${id} belongs to another tenant`, 'tenant');
      return;
    }
    if (STAMPED.has(table)) {
      const now = new Date(this.now()).toISOString();
      this.stmt(`INSERT INTO ${quoteIdent(table)}(id, tenant_id, created_at, updated_at) VALUES (?, ?, ?, ?)`).run(
        id,
        tenant,
        now,
        now,
      );
    } else {
      this.stmt(`INSERT INTO ${quoteIdent(table)}(id, tenant_id) VALUES (?, ?)`).run(id, tenant);
    }
  }

  private setColumn(table: SyncTable, id: string, field: string, value: FieldValue): void {
    const stamp = STAMPED.has(table) ? ', updated_at = ?' : '';
    const sql = `UPDATE ${quoteIdent(table)} SET ${quoteIdent(field)} = ?${stamp} WHERE id = ?`;
    const args = STAMPED.has(table)
      ? [toSql(table, field, value), new Date(this.now()).toISOString(), id]
      : [toSql(table, field, value), id];
    this.stmt(sql).run(...args);
    let ids = this.changed.get(table);
    if (!ids) this.changed.set(table, (ids = new Set()));
    ids.add(id);
  }

  private setVersion(table: SyncTable, id: string, field: string, version: string): void {
    this.stmt(
      'INSERT INTO field_version(tbl, id, field, version) VALUES (?, ?, ?, ?) ON CONFLICT(tbl, id, field) DO UPDATE SET version = excluded.version',
    ).run(table, id, field, version);
  }

  /** A phone moving to another contact must leave the old contact's index entry too. */
  private beforeWrite(table: SyncTable, id: string, field: string): string | null {
    if (table !== 'contact_phone' || field !== 'contact_id') return null;
    return (this.stmt('SELECT contact_id FROM contact_phone WHERE id = ?').get(id) as { contact_id: string | null }).contact_id;
  }

  private afterWrite(table: SyncTable, id: string, field: string, before: string | null): void {
    switch (table) {
      case 'contact':
        this.dirtyContacts.add(id);
        break;
      case 'contact_phone': {
        if (field === 'number') {
          const row = this.stmt('SELECT number FROM contact_phone WHERE id = ?').get(id) as { number: string | null };
          const e164 = this.phones.e164(row.number);
          this.stmt('UPDATE contact_phone SET e164 = ?, valid = ? WHERE id = ?').run(e164, e164 ? 1 : 0, id);
        }
        if (before) this.dirtyContacts.add(before);
        const owner = this.stmt('SELECT contact_id FROM contact_phone WHERE id = ?').get(id) as { contact_id: string | null };
        if (owner.contact_id) this.dirtyContacts.add(owner.contact_id);
        break;
      }
      case 'tenant':
        if (field === 'numbers' || field === '_deleted') this.rebuildTenantNumbers(id);
        break;
      case 'call':
        if (field === 'remote_number') {
          const row = this.stmt('SELECT remote_number FROM "call" WHERE id = ?').get(id) as { remote_number: string | null };
          this.stmt('UPDATE "call" SET remote_e164 = ? WHERE id = ?').run(this.phones.e164(row.remote_number), id);
        }
        break;
      default:
        break;
    }
  }

  private rebuildTenantNumbers(id: string): void {
    const row = this.stmt('SELECT tenant_id, numbers, _deleted FROM tenant WHERE id = ?').get(id) as {
      tenant_id: string;
      numbers: string | null;
      _deleted: number;
    };
    this.stmt('DELETE FROM tenant_number WHERE record_id = ?').run(id);
    if (row._deleted || !row.numbers) return;
    let numbers: unknown;
    try {
      numbers = JSON.parse(row.numbers);
    } catch {
      return;
    }
    if (!Array.isArray(numbers)) return;
    for (const raw of numbers) {
      const e164 = this.phones.e164(String(raw));
      if (e164)
        this.stmt('INSERT OR IGNORE INTO tenant_number(e164, record_id, tenant_id) VALUES (?, ?, ?)').run(
          e164,
          id,
          row.tenant_id,
        );
    }
  }

  private flush(): void {
    if (this.dirtyContacts.size > 0) {
      const ids = this.dirtyContacts;
      this.dirtyContacts = new Set();
      this.search.reindexMany(ids);
    }
    if (this.lastVersion) {
      this.setMeta('hlc', this.lastVersion);
      this.lastVersion = null;
    }
  }

  /**
   * Notes a version seen from elsewhere so later local writes sort after it. One too far ahead of
   * this clock is still applied by the caller, but the clock stays (see `receive`).
   */
  observe(version: string): void {
    if (!this.clock.receive(version)) return;
    const { ms, counter } = this.clock.snapshot();
    this.lastVersion = formatVersion(ms, counter, this.clock.node);
  }

  /** Pulls the clock back when it runs too far ahead of its time source (`rewind`); remembered on commit. */
  rewindClock(): boolean {
    if (!this.clock.rewind()) return false;
    const { ms, counter } = this.clock.snapshot();
    this.lastVersion = formatVersion(ms, counter, this.clock.node);
    return true;
  }

  stmt(sql: string): Stmt {
    let stmt = this.stmts.get(sql);
    if (!stmt) this.stmts.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }
}
