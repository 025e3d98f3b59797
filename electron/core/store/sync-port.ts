import {
  Change,
  formatVersion,
  isSyncField,
  MAX_CLOCK_SKEW_MS,
  PulledChange,
  type FieldValue,
  type SyncTable,
} from '../../../protocol/index.js';
import { quoteIdent } from './columns.js';
import type { Logger } from '../log/logger.js';
import type {
  ConflictRecord,
  PendingChange,
  PushOutcome,
  QuarantineReason,
  QuarantinedChange,
  SyncStorePort,
} from '../sync/store-port.js';
import {
  companionPartId,
  COMPANION_TABLE,
  fieldAt,
  fieldIndex,
  fromPartId,
  ownPartId,
  readEntry,
  RECORD_ENTRY,
  writeEntry,
  type EntryValue,
  type Fields,
} from './record-entry.js';
import type { RecordWriter } from './writer.js';

interface OutboxRow {
  id: number;
  tbl: string;
  record_id: string;
  tenant_id: string;
  field: string;
  value: string;
  version: string;
}

function parseValue(json: string): FieldValue {
  return JSON.parse(json) as FieldValue;
}

/** One field a record entry stands for, with the record it belongs to (the entry's own, or a companion). */
interface EntryField {
  id: number;
  row: OutboxRow;
  field: string;
  value: FieldValue;
}

/** Every field a record entry stands for, in order: the record's own, then each companion's. */
function entryFields(row: OutboxRow): EntryField[] {
  const entry = readEntry(row.value);
  const fields: EntryField[] = Object.entries(entry.own).map(([field, value]) => ({
    id: ownPartId(row.id, fieldIndex(row.tbl, field)),
    row,
    field,
    value,
  }));
  entry.companions.forEach(([recordId, companion], slot) => {
    const record = { ...row, tbl: COMPANION_TABLE, record_id: recordId };
    for (const [field, value] of Object.entries(companion))
      fields.push({ id: companionPartId(row.id, slot, fieldIndex(COMPANION_TABLE, field)), row: record, field, value });
  });
  return fields;
}

/** The store's side of sync: outbox out, pulled pages in, conflicts remembered. */
export class StoreSyncPort implements SyncStorePort {
  constructor(
    private readonly writer: RecordWriter,
    private readonly log?: Logger,
  ) {}

  pendingChanges(limit: number): PendingChange[] {
    const rows = this.writer.stmt('SELECT * FROM outbox ORDER BY id LIMIT ?').all(limit) as OutboxRow[];
    const pending: PendingChange[] = [];
    for (const row of rows) {
      const parts: EntryField[] =
        row.field === RECORD_ENTRY ? entryFields(row) : [{ id: row.id, row, field: row.field, value: parseValue(row.value) }];
      for (const { id, row: record, field, value } of parts) {
        const change = { table: record.tbl, id: record.record_id, tenant: record.tenant_id, field, value, version: row.version };
        pending.push({ outboxId: id, change: Change.parse(change) });
      }
    }
    // A record entry may stand for more changes than asked for; the rest follow in the next batch.
    return pending.slice(0, limit);
  }

  pendingCount(): number {
    return (this.writer.stmt('SELECT coalesce(sum(n), 0) AS n FROM outbox').get() as { n: number }).n;
  }

  acknowledge(outcomes: PushOutcome[]): void {
    this.writer.transaction(() => {
      const superseded = new Set(outcomes.filter((o) => o.status === 'superseded').map((o) => o.outboxId));
      this.takeParts(
        outcomes.map((o) => o.outboxId),
        ({ id, row, field, value }) => {
          if (!superseded.has(id)) return;
          this.writer
            .stmt(
              `INSERT OR REPLACE INTO superseded(outbox_id, tbl, record_id, tenant_id, field, value, version)
               VALUES (?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(id, row.tbl, row.record_id, row.tenant_id, field, value, row.version);
        },
      );
      for (const { outboxId, status } of outcomes) {
        if (outboxId < 0) continue;
        if (status === 'superseded') {
          this.writer
            .stmt(
              `INSERT OR REPLACE INTO superseded(outbox_id, tbl, record_id, tenant_id, field, value, version)
               SELECT id, tbl, record_id, tenant_id, field, value, version FROM outbox WHERE id = ?`,
            )
            .run(outboxId);
        }
        this.writer.stmt('DELETE FROM outbox WHERE id = ?').run(outboxId);
      }
    });
  }

  /**
   * Takes the fields that ids from pendingChanges stand for out of their record entries, handing
   * each to `each` first (with the record it belongs to: the entry's own or a companion). Every entry
   * is read and written once, however many of its fields go (acknowledging a pushed import touches
   * hundreds of thousands). Ids already gone are skipped.
   */
  private takeParts(
    ids: readonly number[],
    each: (part: { id: number; row: OutboxRow; field: string; value: string }) => void,
  ): void {
    const byEntry = new Map<number, number[]>();
    for (const id of ids) {
      if (id >= 0) continue;
      const { rowId } = fromPartId(id);
      const list = byEntry.get(rowId);
      if (list) list.push(id);
      else byEntry.set(rowId, [id]);
    }
    for (const [rowId, partIds] of byEntry) {
      const row = this.writer.stmt("SELECT * FROM outbox WHERE id = ? AND field = '*'").get(rowId) as OutboxRow | undefined;
      if (!row) continue;
      const entry = readEntry(row.value);
      let taken = 0;
      for (const id of partIds) {
        const part = fromPartId(id);
        const companion = part.slot === undefined ? undefined : entry.companions[part.slot];
        if (part.slot !== undefined && !companion) continue;
        const fields = companion ? companion[1] : entry.own;
        const field = fieldAt(companion ? COMPANION_TABLE : row.tbl, part.index);
        if (field === undefined || !(field in fields)) continue;
        const record = companion ? { ...row, tbl: COMPANION_TABLE, record_id: companion[0] } : row;
        each({ id, row: record, field, value: JSON.stringify(fields[field]) });
        delete fields[field];
        taken++;
      }
      if (taken > 0) this.saveEntry(row.id, entry);
    }
  }

  /** Writes a record entry back after fields were taken out; it goes when none is left. */
  private saveEntry(rowId: number, entry: EntryValue): void {
    const { json, n } = writeEntry(entry);
    if (n === 0) this.writer.stmt('DELETE FROM outbox WHERE id = ?').run(rowId);
    else this.writer.stmt('UPDATE outbox SET value = ?, n = ? WHERE id = ?').run(json, n, rowId);
  }

  applyPulled(changes: PulledChange[], cursor: string): { applied: number; conflicts: number } {
    let applied = 0;
    let conflicts = 0;
    this.writer.transaction(() => {
      for (const change of changes) {
        // The engine validates pages too; the store still refuses what would corrupt its tables.
        const valid = PulledChange.safeParse(change);
        if (!valid.success || !isSyncField(valid.data.table, change.field)) {
          this.log?.warn('malformed pulled change skipped', { table: String(change.table), field: String(change.field) });
          continue;
        }
        const tbl = valid.data.table;
        this.writer.observe(change.version);
        const local = this.writer.version(tbl, change.id, change.field);
        if (local !== undefined && local >= change.version) continue;
        const owner = this.writer.tenantOf(tbl, change.id);
        if (owner !== undefined && owner !== change.tenant) {
          this.log?.warn('pulled change names another tenant than the record; skipped', { table: tbl, id: change.id });
          continue;
        }
        conflicts += this.recordLosers(tbl, change);
        this.writer.applyRemote(tbl, change.id, change.tenant, change.field, change.value, change.version);
        applied++;
      }
      this.writer.setMeta('sync_cursor', cursor);
    });
    return { applied, conflicts };
  }

  /**
   * Local edits of this field older than the winner — pending, superseded or quarantined — become a
   * conflict and are dropped. A quarantined one too: otherwise the user would never learn that her
   * refused value was replaced, and a retry would send a value that has already lost.
   */
  private recordLosers(table: SyncTable, change: PulledChange): number {
    const args = [table, change.id, change.field, change.version] as const;
    const losers = [
      ...(this.writer
        .stmt('SELECT * FROM outbox WHERE tbl = ? AND record_id = ? AND field = ? AND version < ? ORDER BY id')
        .all(...args) as OutboxRow[]),
      ...(
        this.writer
          .stmt('SELECT outbox_id AS id, * FROM superseded WHERE tbl = ? AND record_id = ? AND field = ? AND version < ?')
          .all(...args) as OutboxRow[]
      ).map((row) => ({ ...row, superseded: true })),
      ...(this.writer
        .stmt('SELECT * FROM sync_quarantine WHERE tbl = ? AND record_id = ? AND field = ? AND version < ?')
        .all(...args) as OutboxRow[]),
    ];
    losers.push(...this.takeFromEntries(table, change));
    if (losers.length === 0) return 0;
    // The newest losing local value is what the user last saw; older ones were already overwritten by it.
    const lost = losers.reduce((a, b) => (b.version > a.version ? b : a));
    if (JSON.stringify(parseValue(lost.value)) !== JSON.stringify(change.value)) {
      this.writer
        .stmt(
          `INSERT INTO conflict(tbl, record_id, tenant_id, field, lost_value, winning_value, winning_version, author, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          table,
          change.id,
          change.tenant,
          change.field,
          lost.value,
          JSON.stringify(change.value),
          change.version,
          change.author,
          new Date(this.writer.now()).toISOString(),
        );
    }
    this.writer.stmt('DELETE FROM outbox WHERE tbl = ? AND record_id = ? AND field = ? AND version < ?').run(...args);
    this.writer.stmt('DELETE FROM superseded WHERE tbl = ? AND record_id = ? AND field = ? AND version < ?').run(...args);
    this.writer.stmt('DELETE FROM sync_quarantine WHERE tbl = ? AND record_id = ? AND field = ? AND version < ?').run(...args);
    return JSON.stringify(parseValue(lost.value)) !== JSON.stringify(change.value) ? 1 : 0;
  }

  /**
   * Takes the pulled field out of the record entries (imports) that hold an older value of it, and
   * answers those values: the record's own entry and, for a phone, its contact's entry, which
   * carries the phones imported with it.
   */
  private takeFromEntries(table: SyncTable, change: PulledChange): OutboxRow[] {
    const taken: OutboxRow[] = [];
    const take = (row: OutboxRow, pick: (entry: EntryValue) => Fields | undefined) => {
      const entry = readEntry(row.value);
      const fields = pick(entry);
      if (!fields || !(change.field in fields)) return;
      taken.push({ ...row, tbl: table, record_id: change.id, field: change.field, value: JSON.stringify(fields[change.field]) });
      delete fields[change.field];
      this.saveEntry(row.id, entry);
    };
    const entries = "SELECT * FROM outbox WHERE tbl = ? AND record_id = ? AND field = '*' AND version < ?";
    for (const row of this.writer.stmt(entries).all(table, change.id, change.version) as OutboxRow[]) take(row, (e) => e.own);
    if (table === COMPANION_TABLE) {
      // Only a phone written in bulk (`_v` set) can be a companion; its contact_id is the entry's record.
      const phone = this.writer.stmt('SELECT contact_id FROM contact_phone WHERE id = ? AND _v IS NOT NULL').get(change.id) as
        { contact_id: string | null } | undefined;
      if (phone?.contact_id) {
        for (const row of this.writer.stmt(entries).all('contact', phone.contact_id, change.version) as OutboxRow[])
          take(row, (e) => e.companions.find(([id]) => id === change.id)?.[1]);
      }
    }
    return taken;
  }

  cursor(): string {
    return this.writer.meta('sync_cursor') ?? '0';
  }

  restamp(): number {
    // Before every push batch: the common case costs a comparison, not a transaction.
    if (this.writer.clock.snapshot().ms <= this.writer.now() + MAX_CLOCK_SKEW_MS) return 0;
    return this.writer.transaction(() => {
      if (!this.writer.rewindClock()) return 0;
      // Everything stamped at or above the clock's new reading, in the order it was written, so a
      // field's later write keeps the greater version.
      const floor = formatVersion(this.writer.clock.snapshot().ms, 0, '0'.repeat(16));
      const rows = this.writer.stmt('SELECT * FROM outbox WHERE version >= ? ORDER BY id').all(floor) as OutboxRow[];
      for (const row of rows) {
        const version = this.writer.stampVersion();
        this.writer.stmt('UPDATE outbox SET version = ? WHERE id = ?').run(version, row.id);
        if (row.field !== RECORD_ENTRY) {
          this.writer
            .stmt('UPDATE field_version SET version = ? WHERE tbl = ? AND id = ? AND field = ? AND version = ?')
            .run(version, row.tbl, row.record_id, row.field, row.version);
          continue;
        }
        // A record entry's fields carry the record's bulk version, its companions' theirs.
        this.writer
          .stmt(`UPDATE ${quoteIdent(row.tbl)} SET _v = ? WHERE id = ? AND _v = ?`)
          .run(version, row.record_id, row.version);
        for (const [phone] of readEntry(row.value).companions)
          this.writer.stmt(`UPDATE ${COMPANION_TABLE} SET _v = ? WHERE id = ? AND _v = ?`).run(version, phone, row.version);
      }
      return rows.reduce((n, row) => n + (row.field === RECORD_ENTRY ? writeEntry(readEntry(row.value)).n : 1), 0);
    });
  }

  conflicts(limit: number): ConflictRecord[] {
    const rows = this.writer.stmt('SELECT * FROM conflict ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number;
      tbl: SyncTable;
      record_id: string;
      tenant_id: string;
      field: string;
      lost_value: string;
      winning_value: string;
      winning_version: string;
      author: string;
      at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      table: r.tbl,
      recordId: r.record_id,
      tenant: r.tenant_id,
      field: r.field,
      lostValue: parseValue(r.lost_value),
      winningValue: parseValue(r.winning_value),
      winningVersion: r.winning_version,
      author: r.author,
      at: r.at,
    }));
  }

  quarantine(outboxIds: number[], reason: QuarantineReason): void {
    const at = new Date(this.writer.now()).toISOString();
    this.writer.transaction(() => {
      this.takeParts(outboxIds, ({ row, field, value }) => {
        this.writer
          .stmt(
            `INSERT INTO sync_quarantine(tbl, record_id, tenant_id, field, value, version, code, message, status, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            row.tbl,
            row.record_id,
            row.tenant_id,
            field,
            value,
            row.version,
            reason.code,
            reason.message.slice(0, 500),
            reason.status,
            at,
          );
      });
      for (const id of outboxIds) {
        if (id < 0) continue;
        this.writer
          .stmt(
            `INSERT INTO sync_quarantine(tbl, record_id, tenant_id, field, value, version, code, message, status, at)
             SELECT tbl, record_id, tenant_id, field, value, version, ?, ?, ?, ? FROM outbox WHERE id = ?`,
          )
          .run(reason.code, reason.message.slice(0, 500), reason.status, at, id);
        this.writer.stmt('DELETE FROM outbox WHERE id = ?').run(id);
      }
    });
  }

  quarantined(limit: number): QuarantinedChange[] {
    const rows = this.writer.stmt('SELECT * FROM sync_quarantine ORDER BY id LIMIT ?').all(limit) as (OutboxRow &
      QuarantineReason & { at: string })[];
    return rows.map((row) => ({
      id: row.id,
      change: {
        table: row.tbl as SyncTable,
        id: row.record_id,
        tenant: row.tenant_id,
        field: row.field,
        value: parseValue(row.value),
        version: row.version,
      },
      code: row.code,
      message: row.message,
      status: row.status,
      at: row.at,
    }));
  }

  quarantinedCount(): number {
    return (this.writer.stmt('SELECT count(*) AS n FROM sync_quarantine').get() as { n: number }).n;
  }

  requeueQuarantined(ids?: number[]): number {
    return this.writer.transaction(() => {
      let moved = 0;
      for (const id of ids ?? this.allQuarantineIds()) {
        // new outbox ids: a retried change goes to the end of the queue, behind newer local edits
        moved += this.writer
          .stmt(
            `INSERT INTO outbox(tbl, record_id, tenant_id, field, value, version)
             SELECT tbl, record_id, tenant_id, field, value, version FROM sync_quarantine WHERE id = ?`,
          )
          .run(id).changes;
        this.writer.stmt('DELETE FROM sync_quarantine WHERE id = ?').run(id);
      }
      return moved;
    });
  }

  discardQuarantined(ids?: number[]): number {
    return this.writer.transaction(() => {
      let dropped = 0;
      for (const id of ids ?? this.allQuarantineIds())
        dropped += this.writer.stmt('DELETE FROM sync_quarantine WHERE id = ?').run(id).changes;
      return dropped;
    });
  }

  private allQuarantineIds(): number[] {
    return (this.writer.stmt('SELECT id FROM sync_quarantine ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  }
}
