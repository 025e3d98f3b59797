import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { IMPORT_BATCH_SIZE } from '../../../electron/core/store/import/importer.js';
import { LocalStore } from '../../../electron/core/store/store.js';
import { startProcess } from '../../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'vermittlung-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an import killed with SIGKILL', () => {
  it('leaves whole batches only and a database that passes integrity_check', async () => {
    const csv = join(dir, 'big.csv');
    const out = createWriteStream(csv);
    out.write('name,company,phone\n');
    for (let i = 0; i < 200_000; i++) {
      if (!out.write(`Kunde ${i},Firma ${i % 97},030 ${String(1_000_000 + i)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    const db = join(dir, 'vermittlung.db');
    // tsx's loader in this very process, not tsx's CLI: the CLI runs the script in a child process of
    // its own, which a SIGKILL of the CLI leaves running (this test once killed only the CLI while the
    // orphan went on importing).
    const tsx = pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    // Ready once a few batches are in: the kill lands in the middle of the import.
    const child = await startProcess(
      process.execPath,
      ['--import', tsx, join(import.meta.dirname, 'import-child.ts'), db, csv],
      /batch imported=(\d*[02468]000)\n/,
      {
        timeoutMs: 60_000,
      },
    );
    await child.stop('SIGKILL');
    expect(child.output()).not.toContain('import finished');
    // Nothing of the import lives on: the file is the killed process's alone.
    const importers = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(db));
    expect(importers()).toEqual([]);

    const nameIndexes = (file: Database.Database) =>
      file
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'contact_by_%name' ORDER BY name")
        .pluck()
        .all();
    const raw = new Database(db);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    // A large import into an empty table builds its name indexes at the end: killed before, they are missing …
    expect(nameIndexes(raw)).toEqual([]);
    raw.close();
    const store = LocalStore.open(db);
    try {
      // … until the next open builds them.
      expect(nameIndexes(store.db)).toEqual(['contact_by_name', 'contact_by_tenant_name']);
      const contacts = store.contactCount();
      expect(contacts).toBeGreaterThan(0);
      expect(contacts).toBeLessThan(200_000);
      expect(contacts % IMPORT_BATCH_SIZE).toBe(0);
      // Every contact came with its number, its versions and its outbox entries: no half rows.
      const phones = store.db.prepare('SELECT count(*) FROM contact_phone').pluck().get();
      expect(phones).toBe(contacts);
      expect(store.sync.pendingCount()).toBe(contacts * 5);
      expect(store.writer.search.search('kunde', undefined, 5)).toHaveLength(5);
      // FTS5 raises SQLITE_CORRUPT_VTAB here if the index disagrees with itself.
      expect(() => store.db.prepare("INSERT INTO contact_fts(contact_fts) VALUES ('integrity-check')").run()).not.toThrow();
    } finally {
      store.close();
    }
  });
});
