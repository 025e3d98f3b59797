/* eslint-disable @typescript-eslint/no-unsafe-member-access -- these tests assert raw JSON bodies as the server sent them */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVersion, type Change } from '../../../protocol/index.js';
import { tenantRecordId } from '../../../server/sync/directory-publisher.js';
import { BACKENDS, TEST_DIRECTORY, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { flatPulled, pushBody } from '../../helpers/sync-wire.js';

let tick = 0;
const version = () => formatVersion(Date.now(), tick++ % 99_999, 'bbbbbbbbbbbbbbbb');
const note = (value: Change['value'], field = 'body'): Change => ({
  table: 'note',
  id: randomUUID(),
  tenant: 'tischlerei',
  field,
  value,
  version: version(),
});
const path = (c: Change) => `${c.tenant}/${c.table}/${c.id}/${c.field}`;

/**
 * Values PostgreSQL cannot store faithfully are refused before any write, with a code naming why
 * and the field at fault, so a client quarantines that field and syncs the rest; a client holding
 * one among ordinary notes delivers the ordinary ones.
 */
describe.each(BACKENDS)('values the sync database cannot store, on %s', (backend) => {
  let f: SyncFixture;
  const push = (body: string | Buffer) => rawRequest(f.url, f.tls('anna'), 'POST', '/sync/push', body);
  const stored = async (ids: string[]) =>
    flatPulled((await rawRequest(f.url, f.tls('ben'), 'GET', '/sync/pull?after=0&limit=5000')).json).filter((c) =>
      ids.includes(c.id),
    );

  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it.each([
    ['a NUL character', 'Rückruf\u0000bitte', 'nul_character'],
    ['a NUL character in a list', ['+4930111', '+49\u000030'], 'nul_character'],
    ['a lone high surrogate', 'Notiz \ud800 aus dem PDF', 'unpaired_surrogate'],
    ['a lone low surrogate', '\udc00', 'unpaired_surrogate'],
    ['a surrogate pair in the wrong order', '\udc00\ud800', 'unpaired_surrogate'],
    ['a high surrogate at the very end', 'Ende\ud83d', 'unpaired_surrogate'],
  ])('refuses %s with 400 and its code, naming the field, and stores nothing of the batch', async (_what, value, code) => {
    const good = note('Frau Meier ruft zurück');
    const bad = note(value, Array.isArray(value) ? 'body' : 'subject');
    const res = await push(JSON.stringify(pushBody([good, bad])));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code, item: path(bad), message: expect.stringContaining(path(bad)) as unknown });
    expect(await stored([good.id, bad.id])).toEqual([]);
  });

  it('refuses a body with bytes that are not UTF-8 instead of storing replacement characters', async () => {
    const good = note('Frau Meier');
    const text = JSON.stringify(pushBody([good]));
    const at = text.indexOf('Frau Meier');
    // "Frau \xff\xfeMeier": 0xff and 0xfe never occur in UTF-8
    const body = Buffer.concat([Buffer.from(text.slice(0, at + 5)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(at + 5))]);
    const res = await push(body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_utf8' });
    // an overlong encoding of "/" and a truncated sequence are refused as well
    for (const bytes of [
      [0xc0, 0xaf],
      [0xe2, 0x82],
    ]) {
      const broken = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]);
      expect((await push(broken)).json.error.code).toBe('invalid_utf8');
    }
    expect(await stored([good.id])).toEqual([]);
    // malformed JSON is still named as such
    expect((await push('{"changes":')).json.error.code).toBe('malformed_json');
  });

  it('stores every other character exactly: astral characters, controls, BOM, noncharacters', async () => {
    const values = ['Grüße 👷‍♀️ 𝄞', '\u0001\u001f\u007f\u0085', '\ufeffBOM', '\ufffe\uffff', 'tab\tcr\rlf\n', ['a\u0001', '😀']];
    const changes = values.map((v) => note(v));
    const res = await push(JSON.stringify(pushBody(changes)));
    expect(res.status).toBe(200);
    const got = await stored(changes.map((c) => c.id));
    expect(new Map(got.map((c) => [c.id, c.value]))).toEqual(new Map(changes.map((c) => [c.id, c.value])));
  });

  it('publishes a firm whose directory entry holds such a value, without that value', async () => {
    const firm = tenantRecordId('tischlerei');
    const tenantFields = async () =>
      Object.fromEntries(
        flatPulled((await rawRequest(f.url, f.tls('carl'), 'GET', '/sync/pull?after=0&limit=5000')).json)
          .filter((c) => c.table === 'tenant' && c.id === firm)
          .map((c) => [c.field, c.value]),
      );
    f.home.writeDirectory({
      ...TEST_DIRECTORY,
      tenants: TEST_DIRECTORY.tenants.map((t) =>
        t.id === 'tischlerei' ? { ...t, name: 'Tischlerei Holz & Sohn', greeting: 'Guten Tag\u0000', hours: 'Mo \ud800' } : t,
      ),
    });
    try {
      await expect
        .poll(async () => (await tenantFields()).name, { timeout: 10_000, interval: 100 })
        .toBe('Tischlerei Holz & Sohn');
      // the values the database cannot hold keep what was published before
      expect(await tenantFields()).toMatchObject({ greeting: 'Tischlerei Holz, guten Tag', hours: 'Di 8–12' });
    } finally {
      f.home.writeDirectory(TEST_DIRECTORY);
    }
    await expect.poll(async () => (await tenantFields()).name, { timeout: 10_000, interval: 100 }).toBe('Tischlerei Holz');
  });

  it('a client holding one bad note among ordinary ones delivers the ordinary ones and quarantines the bad one', async () => {
    const anna = f.client('anna');
    const ben = f.client('ben');
    anna.engine.start();
    ben.engine.start();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const bad = randomUUID();
    anna.store.write('note', ids[0]!, 'tischlerei', 'body', 'vor dem Fehler');
    anna.store.write('note', ids[1]!, 'tischlerei', 'body', 'noch eine');
    anna.store.write('note', bad, 'tischlerei', 'body', 'aus dem PDF: \u0000\ud800');
    anna.store.write('note', bad, 'tischlerei', 'subject', 'Betreff bleibt');
    for (const id of ids.slice(2)) anna.store.write('note', id, 'tischlerei', 'body', `danach ${id}`);
    expect(await anna.engine.syncNow()).toMatchObject({ state: 'online', pending: 0, quarantined: 1, lastError: null });
    expect(anna.engine.quarantined(10)).toEqual([
      expect.objectContaining({ recordId: bad, field: 'body', code: 'nul_character', status: 400 }),
    ]);
    await ben.engine.syncNow();
    expect(ben.store.get('note', ids[0]!, 'body')).toBe('vor dem Fehler');
    for (const id of ids.slice(2)) expect(ben.store.get('note', id, 'body')).toBe(`danach ${id}`);
    expect(ben.store.get('note', bad, 'subject')).toBe('Betreff bleibt');
    expect(ben.store.get('note', bad, 'body')).toBeUndefined();
    // the local value is kept as written
    expect(anna.store.get('note', bad, 'body')).toBe('aus dem PDF: \u0000\ud800');
  });
});
