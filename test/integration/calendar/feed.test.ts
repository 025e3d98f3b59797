import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodePush, formatVersion, type Change } from '../../../protocol/index.js';
import { startSyncServer, type RunningServer } from '../../../server/server.js';
import { createPkiHome, type PkiHome } from '../../helpers/pki.js';
import { BACKENDS } from '../../helpers/sync-fixture.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';
import { flatResults } from '../../helpers/sync-wire.js';

const NODE = 'cccccccccccccccc';
let tick = 0;
const version = () => formatVersion(Date.now(), tick++ % 99_999, NODE);

interface Res {
  status: number;
  text: string;
}

/** One HTTPS request (no keep-alive); `pfx` absent = no client certificate, like a calendar app. */
function request(
  url: string,
  ca: string,
  options: { pfx?: Buffer; passphrase?: string; method?: string; body?: string } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        agent: false,
        ...(options.pfx ? { pfx: options.pfx, passphrase: options.passphrase } : {}),
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

interface Handshake {
  /** The client saw the handshake complete (TLS 1.3 clients may, before the server's verdict arrives). */
  secure: boolean;
  /** Anything the server sent back to a plain HTTP request: an HTTP answer would mean the TLS layer let us in. */
  received: string;
  error: string | undefined;
}

/** A raw TLS connection without a client certificate that asks for /directory/me once it is up. */
function handshakeWithoutCertificate(port: number, ca: string, maxVersion: SecureVersion): Promise<Handshake> {
  return new Promise((resolve) => {
    const outcome: Handshake = { secure: false, received: '', error: undefined };
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', maxVersion }, () => {
      outcome.secure = true;
      socket.write('GET /directory/me HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => (outcome.received += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => (outcome.error ??= error.code ?? error.message));
    socket.on('close', () => resolve(outcome));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

function events(ics: string): VEvent[] {
  return Object.values(ical.sync.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
}

describe.each(BACKENDS)('calendar feed on %s', (backend) => {
  let pki: PkiHome;
  let server: RunningServer;
  let drop: (() => Promise<void>) | undefined;
  const logs: string[] = [];

  const push = async (user: string, changes: Change[]) => {
    const u = pki.users[user]!;
    const res = await request(`${server.url}/sync/push`, pki.caPem, {
      pfx: u.pfx,
      passphrase: u.passphrase,
      method: 'POST',
      body: JSON.stringify(encodePush(changes)),
    });
    expect(res.status, res.text).toBe(200);
    const results = flatResults(changes, JSON.parse(res.text));
    for (const r of results) expect(r?.status).toBe('applied');
  };
  const appointment = (tenant: string, id: string, fields: Record<string, unknown>): Change[] =>
    Object.entries(fields).map(([field, value]) => ({
      table: 'appointment',
      id,
      tenant,
      field,
      value: value as Change['value'],
      version: version(),
    }));
  const feedUrl = async (tenant: string) => (await pki.admin('calendar', 'url', tenant, '--calendar-url', server.feedUrl)).trim();
  // A token the CLI has just created is served once the server has reloaded directory.json (≤ ~1 s).
  const feed = async (url: string) => {
    let res: Res | undefined;
    await expect.poll(async () => (res = await request(url, pki.caPem)).status, { timeout: 5000 }).toBe(200);
    return res!.text;
  };

  beforeAll(async () => {
    pki = await createPkiHome();
    const db = backend === 'postgres' ? await freshDatabase() : undefined;
    drop = db ? () => db.drop() : undefined;
    server = await startSyncServer({
      home: pki.home,
      port: 0,
      log: (message, fields) => logs.push(JSON.stringify({ message, ...fields })),
      ...(db ? { database: db.url } : {}),
    });
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
    pki?.cleanup();
  });

  it('shows a booking in Berlin wall-clock time in winter and summer, without a client certificate', async () => {
    const url = await feedUrl('tischlerei');
    expect(url).toMatch(new RegExp(`^${server.feedUrl}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
    expect((await feedUrl('tischlerei')).trim()).toBe(url); // stable until revoked
    const contact = randomUUID();
    const winter = randomUUID();
    const summer = randomUUID();
    await push('anna', [
      { table: 'contact', id: contact, tenant: 'tischlerei', field: 'name', value: 'Frau Meier', version: version() },
      ...appointment('tischlerei', winter, {
        contact_id: contact,
        starts_at: '2026-01-13T09:00:00.000Z',
        ends_at: '2026-01-13T10:00:00.000Z',
        place: 'Hauptstr. 1, 50667 Köln',
        subject: 'Aufmaß Küche',
        status: 'planned',
      }),
      ...appointment('tischlerei', summer, { starts_at: '2026-07-14T08:00:00.000Z', subject: 'Montage' }),
    ]);
    const text = await feed(url);
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(text).toContain('TZID:Europe/Berlin');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20260113T100000');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20260714T100000');
    const byUid = new Map(events(text).map((e) => [e.uid, e]));
    const w = byUid.get(winter)!;
    expect(w.start.toISOString()).toBe('2026-01-13T09:00:00.000Z');
    expect(w.end!.toISOString()).toBe('2026-01-13T10:00:00.000Z');
    expect(w.location).toBe('Hauptstr. 1, 50667 Köln');
    expect(w.summary).toBe('Aufmaß Küche – Frau Meier');
    expect(w.status).toBe('CONFIRMED');
    const s = byUid.get(summer)!;
    expect(s.start.toISOString()).toBe('2026-07-14T08:00:00.000Z');
    // no ends_at: one hour
    expect(s.end!.toISOString()).toBe('2026-07-14T09:00:00.000Z');
  });

  it('raises SEQUENCE and moves the time on a move; a cancellation shows STATUS:CANCELLED', async () => {
    const url = await feedUrl('tischlerei');
    const id = randomUUID();
    await push('anna', appointment('tischlerei', id, { starts_at: '2026-03-10T09:00:00.000Z', subject: 'Beratung' }));
    const before = events(await feed(url)).find((e) => e.uid === id)!;
    // moved across the DST change (29 March): 10:00 in winter → 10:00 in summer
    await push(
      'max',
      appointment('tischlerei', id, { starts_at: '2026-03-31T08:00:00.000Z', ends_at: '2026-03-31T09:30:00.000Z' }),
    );
    const moved = events(await feed(url)).find((e) => e.uid === id)!;
    expect(moved.sequence).toBeGreaterThan(before.sequence!);
    expect(moved.start.toISOString()).toBe('2026-03-31T08:00:00.000Z');
    expect(moved.end!.toISOString()).toBe('2026-03-31T09:30:00.000Z');
    await push('anna', appointment('tischlerei', id, { status: 'cancelled' }));
    const cancelled = events(await feed(url)).find((e) => e.uid === id)!;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.sequence).toBeGreaterThan(moved.sequence!);
    // a deleted record stays in the feed cancelled, so subscribed calendars drop it
    const gone = randomUUID();
    await push('anna', appointment('tischlerei', gone, { starts_at: '2026-04-01T08:00:00.000Z' }));
    await push('anna', appointment('tischlerei', gone, { _deleted: true }));
    expect(events(await feed(url)).find((e) => e.uid === gone)?.status).toBe('CANCELLED');
  });

  it("keeps one firm's appointments out of another firm's feed", async () => {
    const theirs = randomUUID();
    await push('anna', appointment('sanitaer', theirs, { starts_at: '2026-02-02T09:00:00.000Z', subject: 'Rohrbruch' }));
    const sanitaer = events(await feed(await feedUrl('sanitaer')));
    const tischlerei = events(await feed(await feedUrl('tischlerei')));
    expect(sanitaer.map((e) => e.uid)).toEqual([theirs]);
    expect(tischlerei.some((e) => e.uid === theirs)).toBe(false);
    expect(tischlerei.length).toBeGreaterThan(0);
  });

  it('answers 404 for a revoked URL and serves the new one; unknown tokens are 404 too', async () => {
    const old = await feedUrl('tischlerei');
    await feed(old);
    const out = await pki.admin('calendar', 'revoke', 'tischlerei', '--calendar-url', server.feedUrl);
    const fresh = out.trim().split('\n').at(-1)!;
    expect(fresh).not.toBe(old);
    expect(fresh).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    // the server notices directory.json by itself
    await expect.poll(async () => (await request(old, pki.caPem)).status, { timeout: 5000 }).toBe(404);
    await feed(fresh);
    expect((await feedUrl('tischlerei')).trim()).toBe(fresh);
    expect((await request(`${server.feedUrl}/calendar/${'A'.repeat(43)}.ics`, pki.caPem)).status).toBe(404);
    expect((await request(`${server.feedUrl}/calendar/nonsense`, pki.caPem)).status).toBe(404);
  });

  it('runs the feed on its own port, apart from the sync port', async () => {
    expect(server.feedPort).not.toBe(server.port);
    expect(await feedUrl('tischlerei')).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${server.feedPort}/calendar/`));
  });

  it('refuses a TLS handshake without a client certificate on the sync port, before any HTTP', async () => {
    // TLS 1.2: the server's verdict is part of the handshake, which therefore never completes.
    const tls12 = await handshakeWithoutCertificate(server.port, pki.caPem, 'TLSv1.2');
    expect(tls12.secure).toBe(false);
    expect(tls12.error).toBeDefined();
    expect(tls12.received).toBe('');
    // TLS 1.3: the client may think it is done, but the server answers its first bytes with the
    // certificate_required alert, not with any HTTP status.
    const tls13 = await handshakeWithoutCertificate(server.port, pki.caPem, 'TLSv1.3');
    expect(tls13.error).toMatch(/CERTIFICATE_REQUIRED/);
    expect(tls13.received).toBe('');
    // the feed port completes the same handshake and answers over HTTP (404: not a feed path)
    const feedPort = await handshakeWithoutCertificate(server.feedPort, pki.caPem, 'TLSv1.2');
    expect(feedPort.secure).toBe(true);
    expect(feedPort.received).toMatch(/^HTTP\/1\.1 404 /);
    // and the sync routes over HTTPS without a certificate fail at the connection, not with a status
    await expect(request(`${server.url}/sync/pull?after=0&limit=10`, pki.caPem)).rejects.toThrow();
    await expect(request(`${server.url}/sync/push`, pki.caPem, { method: 'POST', body: '{"changes":{}}' })).rejects.toThrow();
    await expect(request(`${server.url}${new URL(await feedUrl('tischlerei')).pathname}`, pki.caPem)).rejects.toThrow();
  });

  it('serves no sync route on the feed port, with or without a certificate', async () => {
    const max = pki.users.max!;
    for (const cert of [{}, { pfx: max.pfx, passphrase: max.passphrase }]) {
      expect((await request(`${server.feedUrl}/sync/pull?after=0&limit=10`, pki.caPem, cert)).status).toBe(404);
      expect((await request(`${server.feedUrl}/directory/me`, pki.caPem, cert)).status).toBe(404);
      expect(
        (await request(`${server.feedUrl}/sync/push`, pki.caPem, { ...cert, method: 'POST', body: '{"changes":{}}' })).status,
      ).toBe(404);
      expect((await request(`${server.feedUrl}/`, pki.caPem, cert)).status).toBe(404);
    }
    // the feed's path prefix is no way round it either
    for (const sneaky of ['/calendar/../sync/pull?after=0', '/calendar/..%2Fdirectory%2Fme', '/calendar/x/../../directory/me']) {
      expect((await request(`${server.feedUrl}${sneaky}`, pki.caPem)).status).toBe(404);
    }
    for (const options of [{ ca: pki.caPem }, { ca: pki.caPem, pfx: max.pfx, passphrase: max.passphrase }]) {
      const live = new WebSocket(`${server.feedUrl.replace('https', 'wss')}/sync/live`, options);
      const outcome = await new Promise<string>((resolve) => {
        live.on('open', () => resolve('open'));
        live.on('error', () => resolve('refused'));
      });
      live.terminate();
      expect(outcome).toBe('refused');
    }
    // the sync port itself works with the certificate, and does not serve the feed
    expect((await request(`${server.url}/directory/me`, pki.caPem, { pfx: max.pfx, passphrase: max.passphrase })).status).toBe(
      200,
    );
    const path = new URL(await feedUrl('tischlerei')).pathname;
    expect((await request(`${server.url}${path}`, pki.caPem, { pfx: max.pfx, passphrase: max.passphrase })).status).toBe(404);
  });

  it('never logs a feed token', async () => {
    const token = (await feedUrl('tischlerei')).split('/').at(-1)!.replace('.ics', '');
    await feed(`${server.feedUrl}/calendar/${token}.ics`);
    expect(logs.join('\n')).not.toContain(token);
  });
});
