import { foldForIndex, ftsQuery } from './fold.js';
import type Database from 'better-sqlite3';
import type { Db } from './open.js';
import type { PhoneNormaliser } from './phone-normaliser.js';

type Stmt = Database.Statement<unknown[], unknown>;

/**
 * How many matches (the first in index order) a search ranks. bm25 scores every match it is given,
 * and a short prefix such as "Sch" matches a large share of a big address book, so ranking them all would
 * cost more than a keystroke may (figures in docs/store.md). A result set larger than the pool is approximated by the
 * best of its first matches; with that many equally good matches the order among them says little.
 */
export const PREFIX_POOL = 1000; // longest word three letters
export const WORD_POOL = 5000; // longer words

/** Contacts per slice of a rebuild: ~20 ms of the main thread each. */
const REBUILD_SLICE = 500;
const REBUILD_KEY = 'search_rebuild';

interface ContactRow {
  rowid: number;
  tenant_id: string;
  name: string | null;
  company: string | null;
  email: string | null;
  _deleted: number;
}

/** One token per firm, whatever its slug contains: the tokenizer keeps letters and digits together. */
export function tenantToken(tenant: string): string {
  return `t${Buffer.from(tenant, 'utf8').toString('hex')}`;
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
  private readonly ranked: Stmt;
  private readonly unranked: Stmt;
  private readonly rankedWithTenant: Stmt | undefined;
  /** False on a schema before version 3 (only tests open those with today's code). */
  private readonly hasTenantColumn: boolean;

  constructor(
    private readonly db: Db,
    private readonly normaliser: PhoneNormaliser,
  ) {
    this.hasTenantColumn = (db.pragma('table_info(contact_fts)') as { name: string }[]).some((c) => c.name === 'tenant');
    this.contact = db.prepare('SELECT rowid, tenant_id, name, company, email, _deleted FROM contact WHERE id = ?');
    this.phones = db.prepare('SELECT number FROM contact_phone WHERE contact_id = ? AND _deleted = 0');
    this.contactsMany = db.prepare(
      'SELECT rowid, id, tenant_id, name, company, email, _deleted FROM contact WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.phonesMany = db.prepare(
      'SELECT contact_id, number FROM contact_phone WHERE contact_id IN (SELECT value FROM json_each(?)) AND _deleted = 0',
    );
    this.remove = db.prepare('DELETE FROM contact_fts WHERE rowid = ?');
    if (this.hasTenantColumn) {
      this.upsert = db.prepare(
        'INSERT OR REPLACE INTO contact_fts(rowid, name, company, email, numbers, tenant) VALUES (?, ?, ?, ?, ?, ?)',
      );
      // FTS5 optimises `ORDER BY rank LIMIT k` only on the FTS table alone: rank and cut first,
      // then join the page to the records. The rank is the table's default (migration 003).
      const page = (inner: string, extra = '') =>
        // CROSS JOIN keeps the page as the outer loop; left to itself the planner scans every
        // contact through contact_by_name(_deleted) and probes the page for each (5 ms at 100k).
        db.prepare(`SELECT c.id AS id, h.rank AS rank${extra} FROM (${inner}) h CROSS JOIN contact c ON c.rowid = h.rowid
          WHERE c._deleted = 0 ORDER BY h.rank`);
      const pooled =
        'SELECT rowid, rank FROM (SELECT rowid, rank FROM contact_fts WHERE contact_fts MATCH ? LIMIT ?) ORDER BY rank LIMIT ?';
      this.ranked = page(pooled);
      this.rankedWithTenant = page(pooled, ', c.tenant_id AS tenant_id');
      // One or two typed letters match a large share of all contacts; ranking them all costs more than
      // it helps, so the first matches in index order are ranked among themselves until the third letter.
      this.unranked = page('SELECT rowid, rank FROM contact_fts WHERE contact_fts MATCH ? LIMIT ?');
    } else {
      this.rankedWithTenant = undefined;
      this.upsert = db.prepare('INSERT OR REPLACE INTO contact_fts(rowid, name, company, email, numbers) VALUES (?, ?, ?, ?, ?)');
      const select = `SELECT c.id AS id, f.rank AS rank FROM contact_fts f JOIN contact c ON c.rowid = f.rowid
        WHERE contact_fts MATCH ? AND f.rank MATCH 'bm25(10.0, 5.0, 2.0, 3.0)' AND c._deleted = 0
        AND (c.tenant_id = ?3 OR ?3 IS NULL)`;
      this.ranked = db.prepare(`${select} ORDER BY f.rank LIMIT ?2`);
      this.unranked = db.prepare(`${select} LIMIT ?2`);
    }
    // A small index is rebuilt here and now; a large one goes on in slices (LocalStore).
    if (this.rebuildPending()) this.rebuildSlice();
  }

  /** True while a rebuild asked for by a migration (`meta.search_rebuild`) has contacts left. */
  rebuildPending(): boolean {
    return this.db.prepare('SELECT 1 FROM meta WHERE key = ?').get(REBUILD_KEY) !== undefined;
  }

  /**
   * Indexes the next REBUILD_SLICE contacts in rowid order, in one transaction that also notes the
   * last rowid done (`from:<rowid>`), so a rebuild cut short by a crash goes on where it stopped. A
   * migration's plain mark starts by emptying the index: replacing entries one by one in a
   * contentless_delete table cost four times as much. Until its slice, a contact is not found by
   * search (lookup and lists do not use the index); writes meanwhile index their contacts as always.
   * Answers true when the rebuild is complete.
   */
  rebuildSlice(): boolean {
    return this.db
      .transaction(() => {
        const mark = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(REBUILD_KEY) as string | undefined;
        if (mark === undefined) return true;
        const resumed = /^from:\d+$/.test(mark);
        if (!resumed) this.db.exec("INSERT INTO contact_fts(contact_fts) VALUES ('delete-all')");
        const after = resumed ? Number(mark.slice(5)) : 0;
        const rows = this.db
          .prepare('SELECT rowid, id FROM contact WHERE rowid > ? ORDER BY rowid LIMIT ?')
          .all(after, REBUILD_SLICE) as { rowid: number; id: string }[];
        if (rows.length === 0) {
          this.db.prepare('DELETE FROM meta WHERE key = ?').run(REBUILD_KEY);
          return true;
        }
        this.reindexMany(rows.map((r) => r.id));
        this.db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(`from:${rows.at(-1)!.rowid}`, REBUILD_KEY);
        return false;
      })
      .immediate();
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
    const values = [row.rowid, foldForIndex(row.name), foldForIndex(row.company), foldForIndex(row.email), [...digits].join(' ')];
    if (this.hasTenantColumn) values.push(tenantToken(row.tenant_id));
    this.upsert.run(...values);
  }

  search(input: string, tenant: string | undefined, limit: number): SearchHit[] {
    const query = ftsQuery(input);
    if (!query) return [];
    const longest = Math.max(...input.split(/[^\p{L}\p{N}]+/u).map((w) => w.length));
    if (!this.hasTenantColumn)
      return (longest < 3 ? this.unranked : this.ranked).all(query, limit, tenant ?? null) as SearchHit[];
    const pool = longest === 3 ? PREFIX_POOL : WORD_POOL;
    // The words may match only the searchable columns, never a firm's token.
    const words = `{name company email numbers} : (${query})`;
    const run = (match: string): SearchHit[] => {
      if (longest < 3) return this.unranked.all(match, limit) as SearchHit[];
      return this.ranked.all(match, pool, limit) as SearchHit[];
    };
    if (tenant === undefined) return run(words);
    if (longest >= 3) {
      // A firm's token in the query doubles bm25's work, and a large firm is most of the index.
      // The firm's best k are exactly the first k of that firm among the best k·4 overall when
      // that many are there; otherwise the index filters by the token.
      const overall = this.rankedWithTenant!.all(words, pool, limit * 4) as (SearchHit & { tenant_id: string })[];
      const mine = overall.filter((h) => h.tenant_id === tenant);
      if (mine.length >= limit || overall.length < limit * 4) return mine.slice(0, limit).map(({ id, rank }) => ({ id, rank }));
    }
    return run(`tenant : "${tenantToken(tenant)}" AND ${words}`);
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
}
