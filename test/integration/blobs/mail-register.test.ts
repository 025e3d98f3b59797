import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HostError, type HostEvent, type IdentityRole } from '../../../protocol/index.js';
import { HostEventBus } from '../../../electron/core/events.js';
import { watchMailArrivals } from '../../../electron/core/store/mail-arrivals.js';
import { MailRegister } from '../../../electron/core/store/mail-register.js';
import { LocalStore } from '../../../electron/core/store/store.js';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import type { Directory } from '../../../server/home/directory.js';
import { openBlobClient, writeTestPdf, type BlobClient } from '../../helpers/blob-client.js';
import { TEST_DIRECTORY, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { pushBody } from '../../helpers/sync-wire.js';

const MB = 1024 * 1024;
const YEAR_MS = 365.25 * 24 * 3600_000;
const work = mkdtempSync(join(tmpdir(), 'vermittlung-mail-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The test directory plus dora, craftsman of the other firm, and lena, the office lead. */
const DIRECTORY: Directory = {
  ...TEST_DIRECTORY,
  users: [
    ...TEST_DIRECTORY.users,
    { id: 'dora', name: 'Dora D', role: 'craftsman', tenants: ['sanitaer'], certificates: [] },
    { id: 'lena', name: 'Lena L', role: 'lead', tenants: [], certificates: [] },
  ],
};
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let f: SyncFixture | undefined;
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await f?.close();
  f = undefined;
});

/**
 * One desk as the app composes it: the product's SQLite store and sync engine, the register acting
 * as `user`, and mail.arrived watched on the host event bus. `shift` moves the desk's wall clock.
 */
function desk(fixture: SyncFixture, user: string, role: IdentityRole, tenants: string[]) {
  const clock = { shift: 0 };
  const events = new HostEventBus();
  const arrived: HostEvent[] = [];
  events.subscribe((e) => e.event === 'mail.arrived' && arrived.push(e));
  const store = LocalStore.open(join(work, `${user}-${randomUUID()}.db`), {
    onChanged: (change) => events.emit('store.changed', change),
    now: () => new Date(Date.now() + clock.shift),
  });
  const register = new MailRegister(store.writer, { actor: () => ({ user, role, tenants }) });
  watchMailArrivals(store.db, register, events, (t) => role === 'lead' || tenants.includes(t), store.writer.now);
  const engine = new SyncEngine({
    store: store.sync,
    serverUrl: fixture.url,
    tls: () => fixture.tls(user),
    live: false,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  engine.start();
  closers.push(async () => {
    await engine.stop();
    store.close();
  });
  const sync = async () => {
    const status = await engine.syncNow();
    expect(status.lastError ?? null).toBeNull();
    expect(store.sync.pendingCount()).toBe(0);
  };
  const act = <T>(fn: () => T): T => store.write(fn);
  return { store, register, arrived, clock, sync, act };
}

function blobs(fixture: SyncFixture, user: string): BlobClient {
  const client = openBlobClient(
    join(work, `${user}-blobs-${randomUUID()}`),
    () => fixture.url,
    () => fixture.tls(user),
  );
  closers.push(() => client.close());
  return client;
}

async function storedBlobs(fixture: SyncFixture, sha256: string): Promise<number> {
  const { rows } = await fixture.server.db.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM blob WHERE sha256 = $1) + (SELECT count(*) FROM blob_chunk WHERE sha256 = $1))::text AS n`,
    [sha256],
  );
  return Number(rows[0]!.n);
}

describe('the mail register between desks on PGlite', () => {
  it('an Einschreiben with its scan reaches the firm’s craftsman only; he confirms, the office destroys, the lead purges the scan when due', async () => {
    f = await syncFixture('pglite', DIRECTORY, { blobGc: { intervalMs: 100 } });
    const fixture = f;
    const anna = desk(fixture, 'anna', 'teleworker', ['tischlerei', 'sanitaer']);
    const carl = desk(fixture, 'carl', 'craftsman', ['tischlerei']);
    const dora = desk(fixture, 'dora', 'craftsman', ['sanitaer']);
    const lena = desk(fixture, 'lena', 'lead', []);
    await Promise.all([carl.sync(), dora.sync(), lena.sync()]);

    // The office registers the letter and files its scan (the bytes through the blob uploader).
    const pdf = join(work, 'einschreiben.pdf');
    const data = writeTestPdf(pdf, 2 * MB);
    const annaBlobs = blobs(fixture, 'anna');
    await annaBlobs.uploader.enqueue(pdf, 'tischlerei');
    expect(await annaBlobs.uploader.drain()).toBe(0);
    const item = anna.act(() =>
      anna.register.register({ tenant: 'tischlerei', sender: 'Vermieter GmbH', kind: 'einschreiben', deadline: '2027-01-15' }),
    );
    const doc = randomUUID();
    anna.act(() =>
      anna.store.writer.writeLocal('document', doc, 'tischlerei', {
        blob_sha256: sha(data),
        name: 'einschreiben.pdf',
        mime: 'application/pdf',
        size: String(data.length),
        attached_table: 'mail_item',
        attached_id: item.id,
      }),
    );
    anna.act(() => anna.register.advance(item.id, 'gescannt'));
    await anna.sync();
    expect(anna.arrived).toEqual([]); // her own registration is no news to her

    // The craftsman of the firm pulls it, is told once, and reads the scan; the other firm's never sees it.
    await carl.sync();
    expect(carl.arrived.map((e) => e.payload)).toEqual([
      { id: item.id, tenant: 'tischlerei', sender: 'Vermieter GmbH', kind: 'einschreiben', deadline: '2027-01-15' },
    ]);
    const seen = carl.register.get(item.id);
    expect(seen).toMatchObject({ status: 'gescannt', documents: [doc], read_at: null });
    expect(readFileSync(await blobs(fixture, 'carl').cache.open(sha(data))).equals(data)).toBe(true);
    await dora.sync();
    expect(dora.register.list({ offset: 0, limit: 50 })).toEqual([]);
    expect(dora.arrived).toEqual([]);
    expect((await rawRequest(fixture.url, fixture.tls('dora'), 'GET', `/blobs/${sha(data)}`)).status).toBe(403);
    await carl.sync();
    expect(carl.arrived).toHaveLength(1);

    // Destroying the paper before he confirmed: refused by the office's app and by the server.
    const refused = (() => {
      try {
        anna.register.advance(item.id, 'erledigt', 'vernichtet');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(HostError);
    expect(refused).toMatchObject({ code: 'mail_destroy_unconfirmed' });
    const bypass = await rawRequest(
      fixture.url,
      fixture.tls('anna'),
      'POST',
      '/sync/push',
      JSON.stringify(
        pushBody([
          {
            table: 'mail_item',
            id: item.id,
            tenant: 'tischlerei',
            field: 'disposition',
            value: 'vernichtet',
            version: anna.store.writer.stampVersion(),
          },
        ]),
      ),
    );
    expect(bypass.status).toBe(403);
    expect(bypass.json).toMatchObject({ error: { code: 'mail_destroy_unconfirmed' } });
    const foreign = await rawRequest(
      fixture.url,
      fixture.tls('dora'),
      'POST',
      '/sync/push',
      JSON.stringify(
        pushBody([
          {
            table: 'mail_item',
            id: item.id,
            tenant: 'tischlerei',
            field: 'read_at',
            value: 'x',
            version: anna.store.writer.stampVersion(),
          },
        ]),
      ),
    );
    expect(foreign.status).toBe(403);

    carl.act(() => carl.register.markRead(item.id));
    carl.act(() => carl.register.confirmDisposal(item.id));
    await carl.sync();
    await anna.sync();
    expect(anna.register.get(item.id)).toMatchObject({ disposal_confirmed_by: 'carl' });
    expect(anna.register.get(item.id).read_at).not.toBeNull();

    // Erledigt seven years ago (the office's clock set back): past the six years of an Einschreiben.
    anna.clock.shift = -7 * YEAR_MS;
    anna.act(() => anna.register.advance(item.id, 'erledigt', 'vernichtet', 'Original vernichtet'));
    anna.clock.shift = 0;
    await anna.sync();

    await lena.sync();
    const due = lena.register.retentionDue();
    expect(due.map((d) => d.item.id)).toEqual([item.id]);
    expect(await storedBlobs(fixture, sha(data))).toBeGreaterThan(0);
    expect(lena.act(() => lena.register.purge([item.id]))).toEqual({ purged: 1 });
    await lena.sync();
    expect(lena.register.retentionDue()).toEqual([]);
    await expect.poll(() => storedBlobs(fixture, sha(data)), { timeout: 30_000, interval: 100 }).toBe(0);
    await carl.sync();
    expect(carl.register.get(item.id).documents).toEqual([]);
  }, 300_000);
});
