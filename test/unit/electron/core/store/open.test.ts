import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../../electron/core/store/migrations/index.js';
import { openDatabase } from '../../../../../electron/core/store/open.js';
import { LocalStore } from '../../../../../electron/core/store/store.js';
import { openStore, tempDir } from '../../../../helpers/unit-store.js';

describe('opening the profile database', () => {
  it('creates a fresh database at the current schema with WAL, foreign keys and a busy timeout', () => {
    const { store } = openStore();
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.recoveredFrom).toBeNull();
  });

  it('migrates every earlier version and keeps the data', () => {
    for (let from = 1; from < SCHEMA_VERSION; from++) {
      const file = join(tempDir(), 'vermittlung.db');
      const old = LocalStore.open(file, { migrations: MIGRATIONS.slice(0, from) });
      expect(old.schemaVersion()).toBe(from);
      const c = old.contacts.create({ tenant: 't1', name: 'Alt Bestand', phones: [{ kind: 'work', number: '030 1234567' }] });
      old.activity.create('note', { tenant: 't1', contact_id: c.id, subject: 'Rückruf', callback_requested: true });
      const node = old.writer.clock.node;
      old.close();

      const { store } = openStore(file);
      expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
      expect(store.contacts.get(c.id).name).toBe('Alt Bestand');
      expect(store.lookup.caller('+49301234567').contact?.id).toBe(c.id);
      // The search index of an older version is rebuilt from the records.
      expect(store.writer.search.search('alt bes', 't1', 5).map((h) => h.id)).toEqual([c.id]);
      expect(store.writer.search.search('alt', 't2', 5)).toEqual([]);
      expect(store.activity.listNotes({ callback: true, offset: 0, limit: 5 })).toHaveLength(1);
      expect(store.writer.clock.node).toBe(node);
      // name; phone contact_id, kind, number; note contact_id, subject, callback_requested, status
      expect(store.sync.pendingCount()).toBe(8);
      const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
      expect(indexes).toContain('note_by_callback');
    }
  });

  it('rebuilds a large search index in slices after opening, resumable, without entries of vanished contacts', async () => {
    const { store, file } = openStore();
    const rows = Array.from({ length: 1_300 }, (_, i) => `Kunde ${i},Firma ${i % 7},030 ${6_000_000 + i}`);
    await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: `name,company,phone\n${rows.join('\n')}\n` });
    // What a migration that changes the index leaves: the mark, and here an entry whose contact no
    // longer exists.
    store.db.exec("INSERT INTO meta(key, value) VALUES ('search_rebuild', '1')");
    store.db
      .prepare("INSERT INTO contact_fts(rowid, name, company, email, numbers, tenant) VALUES (999999, 'geist', '', '', '', '')")
      .run();
    store.close();

    const { store: opened } = openStore(file);
    const found = (q: string) => opened.writer.search.search(q, undefined, 5).length;
    // The first slice (500 contacts in rowid order) is there at once; the rest comes with the event loop.
    expect(opened.db.prepare("SELECT value FROM meta WHERE key = 'search_rebuild'").pluck().get()).toMatch(/^from:\d+$/);
    expect(found('Kunde 499')).toBe(1);
    expect(found('Kunde 1299')).toBe(0);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    await opened.searchRebuilt;
    clearInterval(timer);
    expect(turns).toBeGreaterThan(0);
    expect(found('Kunde 1299')).toBe(1);
    expect(found('geist')).toBe(0);
    expect(opened.db.prepare("SELECT count(*) FROM meta WHERE key = 'search_rebuild'").pluck().get()).toBe(0);
    expect(opened.db.prepare('SELECT count(*) FROM contact_fts').pluck().get()).toBe(1_300);

    // Cut short (a crash after the first slice): the next open goes on from the mark, not from the start.
    const mark = opened.db.prepare('SELECT rowid FROM contact ORDER BY rowid LIMIT 1 OFFSET 799').pluck().get() as number;
    opened.db.exec('DELETE FROM contact_fts');
    opened.db.prepare("INSERT INTO meta(key, value) VALUES ('search_rebuild', ?)").run(`from:${mark}`);
    opened.close();
    const { store: resumed } = openStore(file);
    await resumed.searchRebuilt;
    expect(resumed.writer.search.search('Kunde 1299', undefined, 5)).toHaveLength(1);
    expect(resumed.writer.search.search('Kunde 799', undefined, 5)).toHaveLength(0);
    expect(resumed.db.prepare('SELECT count(*) FROM contact_fts').pluck().get()).toBe(500);
  });

  it('refuses a database from a newer app version and leaves the file byte for byte as it was', () => {
    const file = join(tempDir(), 'vermittlung.db');
    const future = new Database(file);
    future.exec('CREATE TABLE something_new (x)');
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    const before = readFileSync(file);
    expect(() => LocalStore.open(file)).toThrow(
      `schema version ${SCHEMA_VERSION + 1}, newer than this app's ${SCHEMA_VERSION}; update the app`,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(join(file, '..')).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('moves a corrupt file aside with its WAL, says so, and starts fresh', () => {
    const dir = tempDir();
    const file = join(dir, 'vermittlung.db');
    writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]));
    writeFileSync(`${file}-wal`, 'garbage wal');
    const { store } = openStore(file, { now: () => new Date('2025-03-04T05:06:07.089Z') });
    expect(store.recoveredFrom).toBe(`${file}.corrupt-2025-03-04T05-06-07-089Z`);
    expect(readFileSync(store.recoveredFrom!).subarray(16, 20).toString()).toBe('ZZZZ');
    expect(readFileSync(`${store.recoveredFrom!}-wal`, 'utf8')).toBe('garbage wal');
    expect(store.contactCount()).toBe(0);
    store.contacts.create({ tenant: 't1', name: 'Neu', phones: [] });
    expect(store.contactCount()).toBe(1);
  });

  it('detects damage inside an otherwise valid file', () => {
    const file = join(tempDir(), 'vermittlung.db');
    const { db } = openDatabase(file);
    const insert = db.prepare('INSERT INTO meta(key, value) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`k${i}`, 'v'.repeat(200));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    bytes.fill(0xff, 8192, 40960); // smash pages in the middle, keep the header intact
    writeFileSync(file, bytes);
    const { store } = openStore(file);
    expect(store.recoveredFrom).not.toBeNull();
    expect(existsSync(store.recoveredFrom!)).toBe(true);
  });
});
