import type Database from 'better-sqlite3';
import { tenantToken } from '../search-index.js';
import type { RecordWriter } from '../writer.js';
import { IMPORTED_COLUMNS, type PreparedContact } from './prepare.js';

type Stmt = Database.Statement<unknown[], unknown>;

/**
 * Writes prepared contacts, the import's hot path: a row per contact and per number, one outbox
 * entry per contact standing for all its fields and its numbers' (record-entry.ts: `field = '*'`,
 * the phones as companions, `n` = how many fields), that one version in every row's `_v` column,
 * and the search index entry from the prepared text. Per-field version rows and entries would
 * triple the rows an import writes (docs/store.md, "Imports").
 * Call inside a RecordWriter transaction: the caller decides what one batch is.
 */
export class ContactBulkInsert {
  private readonly contact: Stmt;
  private readonly phone: Stmt;
  private readonly outbox: Stmt;
  private readonly fts: Stmt;

  constructor(private readonly writer: RecordWriter) {
    const columns = ['id', 'tenant_id', ...IMPORTED_COLUMNS, 'created_at', 'updated_at', '_v'];
    this.contact = writer.db.prepare(`INSERT INTO contact(${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.phone = writer.db.prepare(
      'INSERT INTO contact_phone(id, tenant_id, contact_id, kind, number, e164, valid, _v) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.outbox = writer.db.prepare(
      "INSERT INTO outbox(tbl, record_id, tenant_id, field, value, version, n) VALUES (?, ?, ?, '*', ?, ?, ?)",
    );
    this.fts = writer.db.prepare(
      'INSERT INTO contact_fts(rowid, name, company, email, numbers, tenant) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  insert(tenant: string, contacts: readonly PreparedContact[]): void {
    const now = new Date(this.writer.now()).toISOString();
    const token = tenantToken(tenant);
    for (const c of contacts) {
      const version = this.writer.stampVersion();
      const rowid = this.contact.run(c.id, tenant, ...c.values, now, now, version).lastInsertRowid;
      this.outbox.run('contact', c.id, tenant, c.json, version, c.fields);
      for (const p of c.phones) {
        this.phone.run(p.id, tenant, c.id, p.kind, p.number, p.e164, p.e164 ? 1 : 0, version);
        this.writer.markChanged('contact_phone', p.id);
      }
      this.fts.run(rowid, ...c.fts, token);
      this.writer.markChanged('contact', c.id);
    }
  }
}
