import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { HybridLogicalClock, formatVersion, type Change, type FieldValue, type PulledChange } from '../../protocol/index.js';
import type {
  ConflictRecord,
  PendingChange,
  PushOutcome,
  QuarantineReason,
  QuarantinedChange,
  SyncStorePort,
} from '../../electron/core/sync/store-port.js';

/**
 * A SyncStorePort over a real SQLite file with the semantics the port's doc comment demands, for
 * sync tests while the product store (electron/core/store) is being written. Generic per-field
 * rows instead of typed tables; durable, so a SIGKILLed client process can be resumed.
 */
export class TestSyncStore implements SyncStorePort {
  readonly db: Database.Database;
  readonly clock: HybridLogicalClock;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string, node = randomBytes(8).toString('hex'), now: () => number = Date.now) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS fields (tbl TEXT, id TEXT, field TEXT, tenant TEXT, value TEXT, version TEXT,
        PRIMARY KEY (tbl, id, field));
      CREATE TABLE IF NOT EXISTS outbox (outbox_id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT, id TEXT, tenant TEXT,
        field TEXT, value TEXT, version TEXT);
      CREATE TABLE IF NOT EXISTS superseded (tbl TEXT, id TEXT, field TEXT, value TEXT, version TEXT,
        PRIMARY KEY (tbl, id, field));
      CREATE TABLE IF NOT EXISTS conflicts (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT, record_id TEXT, tenant TEXT,
        field TEXT, lost TEXT, winning TEXT, winning_version TEXT, author TEXT, at TEXT);
      CREATE TABLE IF NOT EXISTS quarantine (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT, rid TEXT, tenant TEXT,
        field TEXT, value TEXT, version TEXT, code TEXT, message TEXT, status INTEGER, at TEXT);
    `);
    const stored = this.meta('node');
    const nodeId = stored ?? node;
    if (!stored) this.setMeta('node', nodeId);
    const ms = Number(this.meta('clock_ms') ?? 0);
    const counter = Number(this.meta('clock_counter') ?? 0);
    this.clock = new HybridLogicalClock(nodeId, now, { ms, counter });
  }

  /** A local edit: new version, field written, outbox entry — one transaction. */
  write(table: Change['table'], id: string, tenant: string, field: string, value: FieldValue): string {
    return this.db.transaction(() => {
      const version = this.clock.tick();
      this.saveClock();
      const json = JSON.stringify(value);
      this.stmt('INSERT OR REPLACE INTO fields (tbl, id, field, tenant, value, version) VALUES (?, ?, ?, ?, ?, ?)').run(
        table,
        id,
        field,
        tenant,
        json,
        version,
      );
      this.stmt('INSERT INTO outbox (tbl, id, tenant, field, value, version) VALUES (?, ?, ?, ?, ?, ?)').run(
        table,
        id,
        tenant,
        field,
        json,
        version,
      );
      return version;
    })();
  }

  /** Every field as `table/id/field → {value, version}`, for comparing replicas. */
  snapshot(filter?: (table: string) => boolean): Record<string, { value: FieldValue; version: string }> {
    const rows = this.stmt('SELECT tbl, id, field, value, version FROM fields ORDER BY tbl, id, field').all() as {
      tbl: string;
      id: string;
      field: string;
      value: string;
      version: string;
    }[];
    const out: Record<string, { value: FieldValue; version: string }> = {};
    for (const r of rows)
      if (!filter || filter(r.tbl))
        out[`${r.tbl}/${r.id}/${r.field}`] = { value: JSON.parse(r.value) as FieldValue, version: r.version };
    return out;
  }

  get(table: string, id: string, field: string): FieldValue | undefined {
    const row = this.stmt('SELECT value FROM fields WHERE tbl = ? AND id = ? AND field = ?').get(table, id, field) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as FieldValue) : undefined;
  }

  pendingChanges(limit: number): PendingChange[] {
    const rows = this.stmt('SELECT * FROM outbox ORDER BY outbox_id LIMIT ?').all(limit) as {
      outbox_id: number;
      tbl: Change['table'];
      id: string;
      tenant: string;
      field: string;
      value: string;
      version: string;
    }[];
    return rows.map((r) => ({
      outboxId: r.outbox_id,
      change: {
        table: r.tbl,
        id: r.id,
        tenant: r.tenant,
        field: r.field,
        value: JSON.parse(r.value) as FieldValue,
        version: r.version,
      },
    }));
  }

  pendingCount(): number {
    return (this.stmt('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  acknowledge(outcomes: PushOutcome[]): void {
    this.db.transaction(() => {
      for (const o of outcomes) {
        const row = this.stmt('SELECT * FROM outbox WHERE outbox_id = ?').get(o.outboxId) as
          { tbl: string; id: string; field: string; value: string; version: string } | undefined;
        if (!row) continue;
        if (o.status === 'superseded') {
          this.stmt('INSERT OR REPLACE INTO superseded (tbl, id, field, value, version) VALUES (?, ?, ?, ?, ?)').run(
            row.tbl,
            row.id,
            row.field,
            row.value,
            row.version,
          );
        }
        this.stmt('DELETE FROM outbox WHERE outbox_id = ?').run(o.outboxId);
      }
    })();
  }

  applyPulled(changes: PulledChange[], cursor: string): { applied: number; conflicts: number } {
    return this.db.transaction(() => {
      let applied = 0;
      let conflicts = 0;
      // Nothing local waiting or lost: skip the per-field conflict bookkeeping (initial sync).
      const hasLocalWork =
        this.pendingCount() > 0 || (this.stmt('SELECT count(*) AS n FROM superseded').get() as { n: number }).n > 0;
      for (const c of changes) {
        this.clock.receive(c.version);
        const local = this.stmt('SELECT value, version FROM fields WHERE tbl = ? AND id = ? AND field = ?').get(
          c.table,
          c.id,
          c.field,
        ) as { value: string; version: string } | undefined;
        if (local && local.version >= c.version) continue;
        const winning = JSON.stringify(c.value);
        const keep = () =>
          this.stmt('INSERT OR REPLACE INTO fields (tbl, id, field, tenant, value, version) VALUES (?, ?, ?, ?, ?, ?)').run(
            c.table,
            c.id,
            c.field,
            c.tenant,
            winning,
            c.version,
          );
        applied++;
        if (!hasLocalWork) {
          keep();
          continue;
        }
        // Local writes of this field older than the winner, still waiting (outbox) or already overwritten (superseded).
        const older = (statement: string, table: 'outbox' | 'superseded') =>
          this.stmt(`${statement} ${table} WHERE tbl = ? AND id = ? AND field = ? AND version < ?`);
        const losers = (['outbox', 'superseded'] as const).flatMap(
          (table) =>
            older('SELECT value, version FROM', table).all(c.table, c.id, c.field, c.version) as {
              value: string;
              version: string;
            }[],
        );
        const lost = losers.sort((a, b) => (a.version < b.version ? 1 : -1))[0];
        if (lost && lost.value !== winning) {
          this.stmt(
            'INSERT INTO conflicts (tbl, record_id, tenant, field, lost, winning, winning_version, author, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(c.table, c.id, c.tenant, c.field, lost.value, winning, c.version, c.author, new Date().toISOString());
          conflicts++;
        }
        // A pending write older than the winner would be superseded anyway: drop it.
        for (const table of ['outbox', 'superseded'] as const) older('DELETE FROM', table).run(c.table, c.id, c.field, c.version);
        keep();
      }
      this.setMeta('cursor', cursor);
      this.saveClock();
      return { applied, conflicts };
    })();
  }

  cursor(): string {
    return this.meta('cursor') ?? '0';
  }

  restamp(): number {
    return this.db.transaction(() => {
      if (!this.clock.rewind()) return 0;
      const { ms } = this.clock.snapshot();
      const rows = this.stmt('SELECT * FROM outbox WHERE version >= ? ORDER BY outbox_id').all(
        formatVersion(ms, 0, '0'.repeat(16)),
      ) as {
        outbox_id: number;
        tbl: string;
        id: string;
        field: string;
        version: string;
      }[];
      for (const row of rows) {
        const version = this.clock.tick();
        this.stmt('UPDATE outbox SET version = ? WHERE outbox_id = ?').run(version, row.outbox_id);
        this.stmt('UPDATE fields SET version = ? WHERE tbl = ? AND id = ? AND field = ? AND version = ?').run(
          version,
          row.tbl,
          row.id,
          row.field,
          row.version,
        );
      }
      this.saveClock();
      return rows.length;
    })();
  }

  conflicts(limit: number): ConflictRecord[] {
    const rows = this.stmt('SELECT * FROM conflicts ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number;
      tbl: Change['table'];
      record_id: string;
      tenant: string;
      field: string;
      lost: string;
      winning: string;
      winning_version: string;
      author: string;
      at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      table: r.tbl,
      recordId: r.record_id,
      tenant: r.tenant,
      field: r.field,
      lostValue: JSON.parse(r.lost) as FieldValue,
      winningValue: JSON.parse(r.winning) as FieldValue,
      winningVersion: r.winning_version,
      author: r.author,
      at: r.at,
    }));
  }

  close(): void {
    this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private meta(key: string): string | undefined {
    return (this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.stmt('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  private saveClock(): void {
    const { ms, counter } = this.clock.snapshot();
    this.setMeta('clock_ms', String(ms));
    this.setMeta('clock_counter', String(counter));
  }

  quarantine(outboxIds: number[], reason: QuarantineReason): void {
    const at = new Date().toISOString();
    this.db.transaction(() => {
      for (const id of outboxIds) {
        this.stmt(
          `INSERT INTO quarantine (tbl, rid, tenant, field, value, version, code, message, status, at)
           SELECT tbl, id, tenant, field, value, version, ?, ?, ?, ? FROM outbox WHERE outbox_id = ?`,
        ).run(reason.code, reason.message, reason.status, at, id);
        this.stmt('DELETE FROM outbox WHERE outbox_id = ?').run(id);
      }
    })();
  }

  quarantined(limit: number): QuarantinedChange[] {
    const rows = this.stmt('SELECT * FROM quarantine ORDER BY id LIMIT ?').all(limit) as {
      id: number;
      tbl: Change['table'];
      rid: string;
      tenant: string;
      field: string;
      value: string;
      version: string;
      code: string;
      message: string;
      status: number;
      at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      change: {
        table: r.tbl,
        id: r.rid,
        tenant: r.tenant,
        field: r.field,
        value: JSON.parse(r.value) as FieldValue,
        version: r.version,
      },
      code: r.code,
      message: r.message,
      status: r.status,
      at: r.at,
    }));
  }

  quarantinedCount(): number {
    return (this.stmt('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n;
  }

  requeueQuarantined(ids?: number[]): number {
    return this.db.transaction(() => {
      let moved = 0;
      for (const id of ids ?? this.quarantineIds()) {
        moved += this.stmt(
          `INSERT INTO outbox (tbl, id, tenant, field, value, version)
           SELECT tbl, rid, tenant, field, value, version FROM quarantine WHERE id = ?`,
        ).run(id).changes;
        this.stmt('DELETE FROM quarantine WHERE id = ?').run(id);
      }
      return moved;
    })();
  }

  discardQuarantined(ids?: number[]): number {
    return this.db.transaction(() => {
      let dropped = 0;
      for (const id of ids ?? this.quarantineIds()) dropped += this.stmt('DELETE FROM quarantine WHERE id = ?').run(id).changes;
      return dropped;
    })();
  }

  private quarantineIds(): number[] {
    return (this.stmt('SELECT id FROM quarantine ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  }
}
