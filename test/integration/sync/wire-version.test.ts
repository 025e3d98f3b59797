import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../electron/core/sync/sync-engine.js';
import { SYNC_WIRE_HEADER } from '../../../protocol/index.js';
import { BACKENDS, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { TestSyncStore } from '../../helpers/test-sync-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The live upgrade's answer status (101 when accepted) and body, with an optional version header. */
function upgrade(url: string, tls: { key: string; cert: string; ca: string }, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(new URL('/sync/live', url), {
      ...tls,
      agent: false,
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

function logSpy() {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  return {
    warnings,
    log: {
      info: () => undefined,
      warn: (message: string, context?: Record<string, unknown>) => warnings.push({ message, context }),
    },
  };
}

describe.each(BACKENDS)('sync wire version negotiation on %s', (backend) => {
  let f: SyncFixture;
  /** A server of a later build that no longer speaks version 1. */
  let newer: SyncFixture;
  const engines: SyncEngine[] = [];
  const client = (fixture: () => SyncFixture, user: string, wireVersion?: () => number | undefined) => {
    const store = new TestSyncStore(':memory:');
    const spy = logSpy();
    // one object per server: a new one means a renewed certificate, and the client drops its connections
    const certs = new Map<SyncFixture, ReturnType<SyncFixture['tls']>>();
    const tls = () => {
      const server = fixture();
      if (!certs.has(server)) certs.set(server, server.tls(user));
      return certs.get(server)!;
    };
    const engine = new SyncEngine({
      store,
      serverUrl: () => fixture().url,
      tls,
      live: true,
      backoff: { baseMs: 20, maxMs: 100 },
      log: spy.log,
      ...(wireVersion ? { wireVersion } : {}),
    });
    engines.push(engine);
    return { store, engine, warnings: spy.warnings };
  };
  beforeAll(async () => {
    [f, newer] = await Promise.all([syncFixture(backend), syncFixture(backend, undefined, { wireVersions: { min: 2, max: 3 } })]);
  });
  afterAll(async () => {
    for (const e of engines) await e.stop();
    await f?.close();
    await newer?.close();
  });

  it('answers an unsupported or malformed version with 426 naming the range, on every endpoint, and stores nothing', async () => {
    const tls = f.tls('anna');
    const note = randomUUID();
    const body = JSON.stringify({ tischlerei: { note: { [note]: { body: ['x', '0000000000001-0000-aaaaaaaaaaaaaaaa'] } } } });
    for (const version of ['2', '0', 'eins', '']) {
      for (const [method, path, payload] of [
        ['GET', '/sync/pull?after=0&limit=10', undefined],
        ['GET', '/directory/me', undefined],
        ['POST', '/sync/push', body],
      ] as const) {
        const answer = await rawRequest(f.url, tls, method, path, payload, { [SYNC_WIRE_HEADER]: version });
        expect(answer.status, `${method} ${path} with version ${JSON.stringify(version)}`).toBe(426);
        expect(answer.json).toEqual({
          error: {
            code: 'unsupported_wire_version',
            message: expect.stringContaining('versions 1 to 1') as unknown,
            supported: { min: 1, max: 1 },
          },
        });
      }
      const live = await upgrade(f.url, tls, { [SYNC_WIRE_HEADER]: version });
      expect(live.status).toBe(426);
      expect(JSON.parse(live.body)).toMatchObject({ error: { code: 'unsupported_wire_version', supported: { min: 1, max: 1 } } });
    }
    const pulled = await rawRequest(f.url, tls, 'GET', '/sync/pull?after=0&limit=5000');
    expect(pulled.text).not.toContain(note);
  });

  it('treats a request without a version as version 1, and accepts version 1 declared', async () => {
    const tls = f.tls('anna');
    expect((await rawRequest(f.url, tls, 'GET', '/sync/pull?after=0&limit=10')).status).toBe(200);
    expect(
      (await rawRequest(f.url, tls, 'GET', '/sync/pull?after=0&limit=10', undefined, { [SYNC_WIRE_HEADER]: '1' })).status,
    ).toBe(200);
    expect((await upgrade(f.url, tls, {})).status).toBe(101);
    expect((await upgrade(f.url, tls, { [SYNC_WIRE_HEADER]: '1' })).status).toBe(101);
    // a newer server refuses the old form with its own range
    const old = await rawRequest(newer.url, newer.tls('anna'), 'GET', '/sync/pull?after=0&limit=10');
    expect(old.status).toBe(426);
    expect((old.json as { error: { supported: unknown } }).error.supported).toEqual({ min: 2, max: 3 });
  });

  it('a client from before negotiation (no header) syncs with a current one', async () => {
    const legacy = client(
      () => f,
      'anna',
      () => undefined,
    );
    const current = client(() => f, 'ben');
    const note = randomUUID();
    legacy.store.write('note', note, 'tischlerei', 'body', 'vom alten Client');
    legacy.engine.start();
    current.engine.start();
    expect(await legacy.engine.syncNow()).toMatchObject({ state: 'online', pending: 0 });
    await current.engine.syncNow();
    expect(current.store.get('note', note, 'body')).toBe('vom alten Client');
    await expect.poll(() => legacy.engine.status().live, { timeout: 5000 }).toBe(true);
  });

  it('an app too old for the server stops retrying, keeps its outbox and says so; updated, it delivers everything', async () => {
    let version = 1;
    const app = client(
      () => newer,
      'anna',
      () => version,
    );
    const note = randomUUID();
    app.store.write('note', note, 'tischlerei', 'subject', 'Angebot Treppe');
    app.store.write('note', note, 'tischlerei', 'body', 'bitte zurückrufen');
    const outbox = app.store.pendingChanges(100).map((p) => p.change);
    expect(outbox).toHaveLength(2);
    app.engine.start();
    const status = await app.engine.syncNow();
    expect(status).toMatchObject({
      state: 'app_outdated',
      pending: 2,
      quarantined: 0,
      live: false,
      lastError: { code: 'unsupported_wire_version', status: 426 },
    });
    expect(app.store.pendingChanges(100).map((p) => p.change)).toEqual(outbox);
    // no retry loop: with a 20–100 ms backoff a retrying engine would log a dozen more refusals
    // meanwhile, and a local edit does not wake it either (start() and syncNow() tried once each)
    const refusals = () => app.warnings.filter((w) => w.message.includes('too old'));
    const tried = refusals().length;
    expect(tried).toBeGreaterThanOrEqual(1);
    expect(tried).toBeLessThanOrEqual(2);
    app.engine.notifyLocalChange();
    await sleep(600);
    expect(refusals()).toHaveLength(tried);
    expect(refusals()[0]!.context).toMatchObject({ clientVersion: 1, supported: { min: 2, max: 3 }, pending: 2 });
    expect(app.warnings.filter((w) => w.message === 'sync failed')).toEqual([]);
    expect(app.engine.status()).toMatchObject({ state: 'app_outdated', live: false, pending: 2 });

    // the update: the same outbox now goes through
    version = 2;
    expect(await app.engine.syncNow()).toMatchObject({ pending: 0, lastError: null });
    // the live socket reconnects too, and its 'open' may start one more (harmless) cycle
    await expect.poll(() => app.engine.status().state, { timeout: 5000 }).toBe('online');
    const other = client(
      () => newer,
      'ben',
      () => 2,
    );
    other.engine.start();
    await other.engine.syncNow();
    expect(other.store.get('note', note, 'body')).toBe('bitte zurückrufen');
    await expect.poll(() => app.engine.status().live, { timeout: 5000 }).toBe(true);
  });

  it('an app newer than the server says the server is older, and keeps its outbox', async () => {
    const app = client(
      () => f,
      'carl',
      () => 2,
    );
    const note = randomUUID();
    app.store.write('note', note, 'tischlerei', 'body', 'neue App');
    app.engine.start();
    expect(await app.engine.syncNow()).toMatchObject({
      state: 'server_outdated',
      pending: 1,
      lastError: { code: 'unsupported_wire_version', status: 426 },
    });
    const refusals = () => app.warnings.filter((w) => w.message.includes('older than this app')).length;
    const tried = refusals();
    await sleep(400);
    expect(refusals()).toBe(tried);
    expect(app.store.pendingCount()).toBe(1);
  });
});
