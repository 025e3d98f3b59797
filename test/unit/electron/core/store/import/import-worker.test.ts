import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../../../../../protocol/index.js';
import { openStore } from '../../../../../helpers/unit-store.js';
import { REPO_ROOT } from '../../../../../helpers/repo-root.js';

function csv(rows: number, offset = 0): string {
  let text = 'name,company,phone\n';
  for (let i = offset; i < offset + rows; i++) text += `Kunde ${i},Firma ${i % 7},030 ${1_000_000 + i}\n`;
  return text;
}

describe('import in a worker thread', () => {
  it('imports through the worker while the main connection keeps answering, with progress and change events', async () => {
    const { store, changes } = openStore();
    const before = store.contacts.create({ tenant: 't1', name: 'Vorher Da', phones: [{ kind: 'work', number: '089 5550100' }] });
    const progress: ImportReport[] = [];
    const answers: number[] = [];
    const running = store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: csv(3000) }, (r) => {
      progress.push(r);
      // The main thread's connection reads while the worker holds the write lock between batches.
      answers.push(store.writer.search.search('vorher', 't1', 5).length);
    });
    expect(store.lookup.caller('+49 89 5550100').contact?.id).toBe(before.id);
    const report = await running;
    expect(report).toMatchObject({ imported: 3000, failed: 0, done: true });
    expect(progress.map((p) => p.imported)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3000]);
    expect(progress.at(-1)?.done).toBe(true);
    expect(answers.every((n) => n === 1)).toBe(true);
    expect(store.contactCount()).toBe(3001);
    expect(store.lookup.caller('030 1002999').contact?.name).toBe('Kunde 2999');
    expect(store.writer.search.search('kunde 2999', 't1', 5)).toHaveLength(1);
    const imported = changes.filter((c) => c.source === 'import' && c.table === 'contact').flatMap((c) => c.ids);
    expect(new Set(imported).size).toBe(3000);
    // A local write after the import sorts after every version the worker wrote.
    const workerLast = store.db.prepare('SELECT max(version) FROM outbox WHERE record_id != ?').pluck().get(before.id) as string;
    store.contacts.update(before.id, { name: 'Nachher Da' });
    const local = store.db.prepare('SELECT max(version) FROM outbox WHERE record_id = ?').pluck().get(before.id) as string;
    expect(local > workerLast).toBe(true);
  });

  it('builds the name indexes once at the end of a large import into an empty table, and has them afterwards', async () => {
    const { store } = openStore();
    const text = csv(40_000);
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const names = () =>
      store.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'contact_by_%name' ORDER BY name")
        .pluck()
        .all();
    const during: unknown[][] = [];
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text }, () => during.push(names()));
    expect(report.imported).toBe(40_000);
    expect(during[0]).toEqual([]);
    expect(names()).toEqual(['contact_by_name', 'contact_by_tenant_name']);
    const plan = store.db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM contact WHERE tenant_id = 't1' AND _deleted = 0 ORDER BY name COLLATE NOCASE")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('contact_by_tenant_name');
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('builds them again as they are defined now, from sqlite_master, not as migration 001 wrote them', async () => {
    const { store } = openStore();
    // Stands for a later migration that redefines an index.
    const redefined = 'CREATE INDEX contact_by_name ON contact(_deleted, name COLLATE NOCASE, id)';
    store.db.exec(`DROP INDEX contact_by_name; ${redefined}`);
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: csv(40_000) });
    expect(report.imported).toBe(40_000);
    const sql = store.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'contact_by_name'").pluck().get();
    expect(sql).toBe(redefined);
    expect(store.db.prepare("SELECT count(*) FROM meta WHERE key = 'deferred_name_indexes'").pluck().get()).toBe(0);
  });

  it('stamps the import worker writes with its own HLC node id, never the main writer one', async () => {
    const { store } = openStore();
    const mainNode = store.writer.clock.node;
    const nodeOf = (version: string) => version.split('-')[2];
    const first = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: csv(600) });
    const second = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: csv(10, 600) });
    expect(first.imported + second.imported).toBe(610);
    // While the worker writes, the main thread may write too: equal (ms, counter) on both clocks
    // must still give different versions, so the two writers never share a node id.
    // Imported records carry one version for all their fields (`_v`, migration 006).
    expect(store.db.prepare('SELECT count(*) FROM field_version').pluck().get()).toBe(0);
    const nodes = store.db.prepare('SELECT _v FROM contact UNION SELECT _v FROM contact_phone').pluck().all() as string[];
    const importNodes = new Set(nodes.map(nodeOf));
    expect(importNodes.size).toBe(2);
    expect(importNodes.has(mainNode)).toBe(false);
    const outboxNodes = new Set((store.db.prepare('SELECT version FROM outbox').pluck().all() as string[]).map(nodeOf));
    expect(outboxNodes).toEqual(importNodes);
    // The profile's own node id stays the main writer's.
    expect(store.writer.meta('node_id')).toBe(mainNode);
    const local = store.contacts.create({ tenant: 't1', name: 'Lokal', phones: [] });
    const localVersion = store.writer.version('contact', local.id, 'name')!;
    expect(nodeOf(localVersion)).toBe(mainNode);
  });

  it('reports bad rows by line from the worker', async () => {
    const { store } = openStore();
    const text = `name,company,phone\nGut,,030 1234567\n,,\nZu Lang,${'x'.repeat(501)},\nAuch Gut,,\n`;
    const report = await store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text });
    expect(report).toMatchObject({ imported: 2, failed: 2 });
    expect(report.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(report.errors[1]?.message).toMatch(/company is longer than 500/);
  });

  it('answers not_found for a missing file and a specific error for an unreadable one, from the parsing thread', async () => {
    const { store } = openStore();
    const missing = store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', path: '/nonexistent/contacts.csv' });
    await expect(missing).rejects.toMatchObject({ code: 'not_found', field: 'path', message: 'import file not found' });
    const directory = store.import({ tenant: 't1', format: 'vcard', csvProfile: 'auto', path: import.meta.dirname });
    await expect(directory).rejects.toThrow(/EISDIR/);
    expect(store.contactCount()).toBe(0);
  });

  it('turns a worker that dies into an error, never a hang', async () => {
    const { store } = openStore(undefined, {
      importWorker: { file: join(REPO_ROOT, 'test', 'helpers', 'crashing-import-worker.ts') },
    });
    const progress: ImportReport[] = [];
    await expect(
      store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: csv(10) }, (r) => progress.push(r)),
    ).rejects.toThrow(/exit code 3/);
    expect(progress).toHaveLength(1);
  });

  it('says so when the bundled worker file is missing', async () => {
    const { store } = openStore(undefined, { importWorker: { file: join(import.meta.dirname, 'no-such-worker.cjs') } });
    await expect(store.import({ tenant: 't1', format: 'csv', csvProfile: 'generic', text: csv(1) })).rejects.toMatchObject({
      code: 'internal',
    });
  });
});
