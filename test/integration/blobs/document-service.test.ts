import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/composition.js';
import { MemorySecretStore } from '../../../electron/core/identity/secret-store.js';
import type { DocumentRecord, IntakeFile, Result } from '../../../protocol/index.js';
import { writeTestPdf } from '../../helpers/blob-client.js';
import { syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

const MB = 1024 * 1024;
const ctx = { origin: 'test' };
const work = mkdtempSync(join(tmpdir(), 'vermittlung-docservice-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let f: SyncFixture | undefined;
const cores: Core[] = [];
const profiles = new Map<Core, string>();
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await f?.close();
  f = undefined;
});

function core(fixture: SyncFixture, user: string, extra: { documentPrefetch?: boolean } = {}): Core {
  const profileDir = join(work, `${user}-${randomUUID()}`);
  const c = createCore({
    profileDir,
    appVersion: '1.0.0',
    shell: 'browser',
    secretStores: [new MemorySecretStore()],
    syncEndpoint: () => ({ url: fixture.url, tls: fixture.tls(user) }),
    ...extra,
  });
  cores.push(c);
  profiles.set(c, profileDir);
  return c;
}

async function ok<T>(result: Promise<Result<unknown>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

const call = <T>(c: Core, method: string, input?: unknown) => ok<T>(c.dispatch(method, input, ctx));

describe('documents through the app core', () => {
  it('a scan dropped into the intake folder is filed at one client and arrives byte-identical, prefetched, at the craftsman', async () => {
    f = await syncFixture('pglite');
    const fixture = f;
    const intake = join(work, `scanner-${randomUUID()}`);
    mkdirSync(intake);
    const anna = core(fixture, 'anna');
    const carl = core(fixture, 'carl', { documentPrefetch: true });
    const changed: IntakeFile[][] = [];
    anna.events.subscribe((e) => {
      if (e.event === 'intake.changed') changed.push(e.payload);
    });
    await call(anna, 'settings.set', { intakeFolder: intake });

    // The scanner writes in two goes: the file is listed only once its size stays the same.
    const data = writeTestPdf(join(work, 'source.pdf'), 3 * MB);
    const scan = join(intake, 'Scan_0001.pdf');
    writeFileSync(scan, data.subarray(0, MB));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await call<IntakeFile[]>(anna, 'intake.list')).toEqual([]);
    await appendFile(scan, data.subarray(MB));
    // A program renamed to .pdf is never listed.
    writeFileSync(join(intake, 'rechnung.pdf'), Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(4096, 1)]));
    await expect.poll(() => call<IntakeFile[]>(anna, 'intake.list'), { timeout: 15_000, interval: 200 }).toHaveLength(1);
    const [listed] = await call<IntakeFile[]>(anna, 'intake.list');
    expect(listed).toMatchObject({ name: 'Scan_0001.pdf', size: data.length, mime: 'application/pdf' });
    expect(listed!.id).not.toContain('/');
    expect(JSON.stringify(listed)).not.toContain(intake);
    expect(changed.at(-1)?.map((x) => x.id)).toEqual([listed!.id]);
    const preview = await call<{ base64: string }>(anna, 'intake.read', { id: listed!.id });
    expect(Buffer.from(preview.base64, 'base64').equals(data)).toBe(true);

    const mailItem = randomUUID();
    const attach = { table: 'mail_item', id: mailItem };
    const record = await call<DocumentRecord>(anna, 'documents.add', {
      tenant: 'tischlerei',
      source: { from: 'intake', id: listed!.id },
      attach,
    });
    expect(record).toMatchObject({ tenant: 'tischlerei', name: 'Scan_0001.pdf', size: data.length, cached: true });
    // Filed: the scan moved to abgelegt/ and left the list.
    expect(existsSync(scan)).toBe(false);
    expect(readFileSync(join(intake, 'abgelegt', 'Scan_0001.pdf')).equals(data)).toBe(true);
    expect(await call<IntakeFile[]>(anna, 'intake.list')).toEqual([]);
    expect(changed.at(-1)).toEqual([]);
    const logs = join(profiles.get(anna)!, 'logs');
    const logged = readdirSync(logs)
      .map((name) => readFileSync(join(logs, name), 'utf8'))
      .join('');
    expect(logged).toMatch(/intake file refused.*rechnung\.pdf/);

    await call(anna, 'sync.now');
    await expect
      .poll(async () => (await call<DocumentRecord[]>(anna, 'documents.list', { attach }))[0]?.uploading, { timeout: 30_000 })
      .toBe(false);

    // The craftsman's app has the bytes before anyone opens them.
    await call(carl, 'sync.now');
    await expect
      .poll(async () => (await call<DocumentRecord[]>(carl, 'documents.list', { attach }))[0]?.cached, { timeout: 30_000 })
      .toBe(true);
    await fixture.stop(); // offline now: reading comes from the cache
    const read = await call<{ mime: string; base64: string }>(carl, 'documents.read', { id: record.id });
    expect(read.mime).toBe('application/pdf');
    expect(Buffer.from(read.base64, 'base64').equals(data)).toBe(true);
    await fixture.restart();

    // Removed at one client: gone from the other's list after a sync.
    await call(anna, 'documents.remove', { id: record.id });
    await call(anna, 'sync.now');
    await call(carl, 'sync.now');
    await expect.poll(() => call<DocumentRecord[]>(carl, 'documents.list', { attach }), { timeout: 30_000 }).toEqual([]);
  }, 300_000);

  it('a document read on demand by a client that does not prefetch; refusals are specific errors', async () => {
    f = await syncFixture('pglite');
    const fixture = f;
    const anna = core(fixture, 'anna');
    const ben = core(fixture, 'ben'); // a teleworker: no prefetch
    const data = writeTestPdf(join(work, 'drop.pdf'), 200_000);
    const note = randomUUID();
    const attach = { table: 'note', id: note };
    const record = await call<DocumentRecord>(anna, 'documents.add', {
      tenant: 'sanitaer',
      source: { from: 'bytes', name: 'Foto Wasserschaden.pdf', base64: data.toString('base64') },
      attach,
    });
    await call(anna, 'sync.now');
    await expect
      .poll(async () => (await call<DocumentRecord[]>(anna, 'documents.list', { attach }))[0]?.uploading, { timeout: 30_000 })
      .toBe(false);
    await call(ben, 'sync.now');
    const [atBen] = await call<DocumentRecord[]>(ben, 'documents.list', { attach });
    expect(atBen).toMatchObject({ id: record.id, name: 'Foto Wasserschaden.pdf', cached: false });
    const read = await call<{ base64: string }>(ben, 'documents.read', { id: record.id });
    expect(Buffer.from(read.base64, 'base64').equals(data)).toBe(true);
    expect((await call<DocumentRecord[]>(ben, 'documents.list', { attach }))[0]?.cached).toBe(true);

    // The browser shell has no file dialogs.
    expect(await anna.dispatch('documents.add', { tenant: 'sanitaer', source: { from: 'dialog' } }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'dialog_unavailable' },
    });
    expect(await anna.dispatch('documents.saveCopy', { id: record.id }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'dialog_unavailable' },
    });
    // A program with a PDF name is refused by content.
    const program = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(512, 1)]);
    expect(
      await anna.dispatch(
        'documents.add',
        { tenant: 'sanitaer', source: { from: 'bytes', name: 'rechnung.pdf', base64: program.toString('base64') } },
        ctx,
      ),
    ).toMatchObject({ ok: false, error: { code: 'unsupported_type' } });
    // Nothing in an intake folder that is not set; an unknown document is not found.
    expect(
      await anna.dispatch('documents.add', { tenant: 'sanitaer', source: { from: 'intake', id: 'abc' } }, ctx),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await anna.dispatch('documents.read', { id: randomUUID() }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  }, 300_000);

  it('a dismissed scan moves to verworfen/', async () => {
    f = await syncFixture('pglite');
    const intake = join(work, `scanner-${randomUUID()}`);
    mkdirSync(intake);
    const anna = core(f, 'anna');
    await call(anna, 'settings.set', { intakeFolder: intake });
    const data = writeTestPdf(join(intake, 'Werbung.pdf'), 10_000);
    await expect.poll(() => call<IntakeFile[]>(anna, 'intake.list'), { timeout: 15_000, interval: 200 }).toHaveLength(1);
    const [listed] = await call<IntakeFile[]>(anna, 'intake.list');
    await call(anna, 'intake.dismiss', { id: listed!.id });
    expect(await call<IntakeFile[]>(anna, 'intake.list')).toEqual([]);
    expect(readFileSync(join(intake, 'verworfen', 'Werbung.pdf')).equals(data)).toBe(true);
    expect(await anna.dispatch('intake.dismiss', { id: listed!.id }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  }, 180_000);
});
