import { foldForIndex, ftsQuery } from './fold.js';
import type Database from 'better-sqlite3';
import type { Db } from './open.js';
import type { PhoneNormaliser } from './phone.js';

type Stmt = Database.Statement<unknown[], unknown>;

interface ContactRow {
  rowid: number;
  name: string | null;
  company: string | null;
  email: string | null;
  _deleted: number;
}

export interface SearchHit {
  id: string;
  rank: number;
}

/**
 * The contact search index (FTS5, contentless, rowid = contact.rowid). Kept in step by the writer
 * inside each write transaction; columns are weighted name > company > email, numbers.
 */
export class SearchIndex {
  private readonly contact: Stmt;
  private readonly phones: Stmt;
  private readonly contactsMany: Stmt;
  private readonly phonesMany: Stmt;
  private readonly remove: Stmt;
  private readonly upsert: Stmt;
  private readonly queryAll: Stmt;
  private readonly queryTenant: Stmt;
  private readonly shortAll: Stmt;
  private readonly shortTenant: Stmt;

  constructor(
    private readonly db: Db,
    private readonly normaliser: PhoneNormaliser,
  ) {
    this.contact = db.prepare('SELECT rowid, name, company, email, _deleted FROM contact WHERE id = ?');
    this.phones = db.prepare('SELECT number FROM contact_phone WHERE contact_id = ? AND _deleted = 0');
    this.contactsMany = db.prepare(
      'SELECT rowid, id, name, company, email, _deleted FROM contact WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.phonesMany = db.prepare(
      'SELECT contact_id, number FROM contact_phone WHERE contact_id IN (SELECT value FROM json_each(?)) AND _deleted = 0',
    );
    this.remove = db.prepare('DELETE FROM contact_fts WHERE rowid = ?');
    this.upsert = db.prepare('INSERT OR REPLACE INTO contact_fts(rowid, name, company, email, numbers) VALUES (?, ?, ?, ?, ?)');
    const select = `SELECT c.id AS id, f.rank AS rank FROM contact_fts f JOIN contact c ON c.rowid = f.rowid
      WHERE contact_fts MATCH ? AND f.rank MATCH 'bm25(10.0, 5.0, 2.0, 3.0)' AND c._deleted = 0`;
    this.queryAll = db.prepare(`${select} ORDER BY f.rank LIMIT ?`);
    this.queryTenant = db.prepare(`${select} AND c.tenant_id = ? ORDER BY f.rank LIMIT ?`);
    // One or two typed letters match a large share of all contacts; ranking them all costs more than
    // it helps, so these come in index order until the third letter.
    this.shortAll = db.prepare(`${select} LIMIT ?`);
    this.shortTenant = db.prepare(`${select} AND c.tenant_id = ? LIMIT ?`);
  }

  /** Reindexes several contacts with two queries instead of two per contact. */
  reindexMany(contactIds: Iterable<string>): void {
    const ids = [...contactIds];
    if (ids.length === 1) return this.reindex(ids[0]!);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = JSON.stringify(ids.slice(i, i + 500));
      const numbers = new Map<string, string[]>();
      for (const p of this.phonesMany.all(chunk) as { contact_id: string; number: string | null }[]) {
        if (!p.number) continue;
        let list = numbers.get(p.contact_id);
        if (!list) numbers.set(p.contact_id, (list = []));
        list.push(p.number);
      }
      for (const row of this.contactsMany.all(chunk) as (ContactRow & { id: string })[]) {
        this.write(row, numbers.get(row.id) ?? []);
      }
    }
  }

  reindex(contactId: string): void {
    const row = this.contact.get(contactId) as ContactRow | undefined;
    if (!row) return; // phones pulled before their contact are indexed when it arrives
    const numbers = (this.phones.all(contactId) as { number: string | null }[]).flatMap((p) => (p.number ? [p.number] : []));
    this.write(row, numbers);
  }

  private write(row: ContactRow, numbers: readonly string[]): void {
    if (row._deleted) {
      this.remove.run(row.rowid);
      return;
    }
    const digits = new Set<string>();
    for (const number of numbers) for (const d of this.normaliser.normalise(number).searchDigits) digits.add(d);
    this.upsert.run(row.rowid, foldForIndex(row.name), foldForIndex(row.company), foldForIndex(row.email), [...digits].join(' '));
  }

  search(input: string, tenant: string | undefined, limit: number): SearchHit[] {
    const query = ftsQuery(input);
    if (!query) return [];
    const short = Math.max(...input.split(/[^\p{L}\p{N}]+/u).map((w) => w.length)) < 3;
    const [all, byTenant] = short ? [this.shortAll, this.shortTenant] : [this.queryAll, this.queryTenant];
    const rows = tenant === undefined ? all.all(query, limit) : byTenant.all(query, tenant, limit);
    return rows as SearchHit[];
  }

  /** The naive alternative, kept for the benchmark's FTS-vs-LIKE comparison only. */
  searchLike(input: string, limit: number): string[] {
    const like = `%${input.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (
      this.db
        .prepare(
          `SELECT c.id FROM contact c WHERE c._deleted = 0 AND (c.name LIKE @like ESCAPE '\\' OR c.company LIKE @like ESCAPE '\\'
           OR c.email LIKE @like ESCAPE '\\' OR EXISTS (SELECT 1 FROM contact_phone p WHERE p.contact_id = c.id AND p.number LIKE @like ESCAPE '\\'))
           ORDER BY c.name LIMIT @limit`,
        )
        .all({ like, limit }) as { id: string }[]
    ).map((r) => r.id);
  }

  /** Rebuilds the whole index from the records (after a restore or an index change). */
  rebuild(): void {
    this.db.exec('DELETE FROM contact_fts');
    for (const { id } of this.db.prepare('SELECT id FROM contact WHERE _deleted = 0').all() as { id: string }[]) {
      this.reindex(id);
    }
  }
}
