/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any -- these tests assert raw JSON bodies as the server sent them, erroneous ones included */
import { X509Certificate, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUSH_CHANGES, MAX_VALUE_BYTES, formatVersion, type Change } from '../../../protocol/index.js';
import { tenantRecordId } from '../../../server/sync/directory-publisher.js';
import { BACKENDS, TEST_DIRECTORY, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { flatPulled, flatResults, pushBody } from '../../helpers/sync-wire.js';

const NODE_A = 'aaaaaaaaaaaaaaaa';
let tick = 0;
const version = (node = NODE_A, ms = Date.now()) => formatVersion(ms, tick++ % 99_999, node);

function change(overrides: Partial<Change> = {}): Change {
  return {
    table: 'contact',
    id: randomUUID(),
    tenant: 'tischlerei',
    field: 'name',
    value: 'Frau Meier',
    version: version(),
    ...overrides,
  };
}

describe.each(BACKENDS)('sync server API on %s', (backend) => {
  let f: SyncFixture;
  const push = (user: string, body: unknown) =>
    rawRequest(f.url, f.tls(user), 'POST', '/sync/push', typeof body === 'string' ? body : JSON.stringify(body));
  const pull = (user: string, after = '0', limit = 1000) =>
    rawRequest(f.url, f.tls(user), 'GET', `/sync/pull?after=${after}&limit=${limit}`);
  const pulled = async (user: string, after = '0', limit = 1000) => flatPulled((await pull(user, after, limit)).json);
  const allContacts = async (user: string) => (await pulled(user)).filter((c) => c.table !== 'tenant');

  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('applies a push, answers per change with a cursor, and the pull returns it with its author', async () => {
    const c = change();
    const res = await push('anna', pushBody([c]));
    expect(res.status).toBe(200);
    expect(res.json.results).toEqual({
      tischlerei: { contact: { [c.id]: { name: { status: 'applied', seq: expect.stringMatching(/^\d+$/) } } } },
    });
    expect(BigInt(res.json.cursor)).toBeGreaterThanOrEqual(BigInt(flatResults([c], res.json)[0]!.seq!));
    const got = (await pulled('ben')).find((x) => x.id === c.id);
    expect(got).toEqual({ ...c, author: 'anna' });
  });

  it('is idempotent and keeps the greatest version per field, ties broken by node id', async () => {
    const id = randomUUID();
    const now = Date.now();
    const older = change({ id, value: 'old', version: formatVersion(now, 0, 'ffffffffffffffff') });
    const newer = change({ id, value: 'new', version: formatVersion(now, 1, '0000000000000001') });
    const tieLow = change({ id, field: 'city', value: 'low', version: formatVersion(now, 5, '1000000000000000') });
    const tieHigh = change({ id, field: 'city', value: 'high', version: formatVersion(now, 5, '2000000000000000') });
    const first = await push('anna', pushBody([newer, tieHigh]));
    expect(flatResults([newer, tieHigh], first.json).map((r) => r?.status)).toEqual(['applied', 'applied']);
    const losers = await push('ben', pushBody([older, tieLow]));
    expect(flatResults([older, tieLow], losers.json)).toEqual([{ status: 'superseded' }, { status: 'superseded' }]);
    const again = await push('ben', pushBody([newer, tieHigh]));
    expect(flatResults([newer, tieHigh], again.json).map((r) => r?.status)).toEqual(['applied', 'applied']);
    // the duplicate did not get a new sequence number: nothing travels twice
    expect(flatResults([newer], again.json)[0]!.seq).toBe(flatResults([newer], first.json)[0]!.seq);
    const rows = (await allContacts('carl')).filter((x: any) => x.id === id);
    expect(rows.map((r: any) => [r.field, r.value, r.author]).sort()).toEqual([
      ['city', 'high', 'anna'],
      ['name', 'new', 'anna'],
    ]);
  });

  it('publishes the directory as server-authored tenant changes, only to users of that tenant', async () => {
    const carl = (await pulled('carl')).filter((c) => c.table === 'tenant');
    expect(new Set(carl.map((c: any) => c.tenant))).toEqual(new Set(['tischlerei']));
    const name = carl.find((c) => c.field === 'name');
    expect(name).toMatchObject({ id: tenantRecordId('tischlerei'), value: 'Tischlerei Holz', author: 'server' });
    const anna = (await pulled('anna')).filter((c) => c.table === 'tenant' && c.field === 'mobile');
    expect(anna.find((c) => c.tenant === 'sanitaer')?.value).toBe('+491701234');
  });

  it('republishes when directory.json changes, and a removed firm gets the tombstone', async () => {
    f.home.writeDirectory({
      ...TEST_DIRECTORY,
      tenants: [{ ...TEST_DIRECTORY.tenants[0]!, hours: 'Mi 14–18' }, TEST_DIRECTORY.tenants[1]!],
    });
    await expect
      .poll(async () => (await pulled('carl')).find((c) => c.table === 'tenant' && c.field === 'hours')?.value, {
        timeout: 5000,
      })
      .toBe('Mi 14–18');
    f.home.writeDirectory(TEST_DIRECTORY);
  });

  it('pages a pull and returns only the tenants the user may serve', async () => {
    const mine = Array.from({ length: 5 }, () => change());
    const theirs = Array.from({ length: 3 }, () => change({ tenant: 'sanitaer' }));
    expect((await push('anna', pushBody([...mine, ...theirs]))).status).toBe(200);
    let after = '0';
    const seen: ReturnType<typeof flatPulled> = [];
    for (let pages = 0; ; pages++) {
      const page = (await pull('carl', after, 2)).json;
      const changes = flatPulled(page);
      expect(changes.length).toBeLessThanOrEqual(2);
      seen.push(...changes);
      // cursors only move forward, and a full page moves it
      if (changes.length > 0) expect(BigInt(page.cursor)).toBeGreaterThan(BigInt(after));
      after = page.cursor;
      if (!page.more) break;
      expect(pages).toBeLessThan(100);
    }
    expect(seen.some((c) => c.tenant === 'sanitaer')).toBe(false);
    // each pushed field exactly once: pages neither overlap nor skip (tenant fields may be republished meanwhile)
    for (const c of mine) expect(seen.filter((s) => s.id === c.id && s.field === c.field)).toHaveLength(1);
  });

  it('answers /directory/me with the user, their firms and colleagues who share one', async () => {
    const me = (await rawRequest(f.url, f.tls('carl'), 'GET', '/directory/me')).json;
    expect(me.user).toEqual({ id: 'carl', name: 'Carl C', role: 'craftsman', tenants: ['tischlerei'] });
    expect(me.tenants.map((t: any) => t.id)).toEqual(['tischlerei']);
    expect(me.colleagues.map((c: any) => c.id).sort()).toEqual(['anna', 'ben']);
  });

  describe('refuses bad input with its status and applies nothing of the batch', () => {
    const C = (overrides: Partial<Change> = {}) => change(overrides);
    const path = (c: Change, depth = 4) => [c.tenant, c.table, c.id, c.field].slice(0, depth).join('/');
    type Case = [string, () => unknown, number, string, string | undefined];
    const row = (name: string, bad: Change, status: number, code: string, depth = 4): Case => [
      name,
      () => pushBody([C(), bad]),
      status,
      code,
      path(bad, depth),
    ];
    const unknownTable = C({ table: 'invoice' as Change['table'] });
    const badVersion = C({ version: '2024-01-01' });
    const badId = C({ id: 'not-a-uuid' });
    const badTenant = C({ tenant: 'Not A Tenant' });
    const noTuple = C({ field: 'city' });
    const future = C({ version: version(NODE_A, Date.now() + 25 * 3600_000) });
    const large = C({ field: 'notes', value: 'x'.repeat(MAX_VALUE_BYTES + 1) });
    const foreign = C({ tenant: 'sanitaer' });
    const owned = C({ table: 'tenant', tenant: 'tischlerei' });
    const twoTenants = (() => {
      const id = randomUUID();
      return [C({ id }), C({ id, tenant: 'sanitaer', field: 'city' })] as const;
    })();
    const cases: Case[] = [
      ['malformed JSON', () => '{"changes": {', 400, 'malformed_json', undefined],
      ['no changes map', () => ({ change: {} }), 400, 'invalid_request', undefined],
      ['changes as a list', () => ({ changes: [C()] }), 400, 'invalid_request', undefined],
      row('unknown table', unknownTable, 400, 'invalid_change', 2),
      row('unknown field', C({ field: 'iban' }), 400, 'unknown_field'),
      row('bad version', badVersion, 400, 'invalid_change'),
      row('bad id', badId, 400, 'invalid_change'),
      row('bad tenant', badTenant, 400, 'invalid_change', 1),
      [
        'a field that is not [value, version]',
        () => {
          const body = pushBody([C(), noTuple]);
          (body.changes.tischlerei!.contact![noTuple.id] as Record<string, unknown>).city = { value: 'x' };
          return body;
        },
        400,
        'invalid_change',
        path(noTuple),
      ],
      row('version > 24 h ahead', future, 400, 'version_in_future'),
      [
        'too many changes',
        () => pushBody(Array.from({ length: MAX_PUSH_CHANGES + 1 }, () => C())),
        413,
        'too_many_changes',
        undefined,
      ],
      row('value too large', large, 413, 'value_too_large'),
      [
        'body too large',
        () => pushBody(Array.from({ length: 70 }, () => C({ field: 'notes', value: 'y'.repeat(60_000) }))),
        413,
        'body_too_large',
        undefined,
      ],
      ['another tenant', () => pushBody([foreign]), 403, 'forbidden_tenant', 'sanitaer'],
      ['server-owned table', () => pushBody([owned]), 403, 'server_owned', 'tischlerei/tenant'],
      ['one record, two tenants', () => pushBody(twoTenants), 403, 'tenant_mismatch', path(twoTenants[1], 3)],
    ];
    it.each(cases)('%s', async (_name, body, status, code, item) => {
      const user = code === 'tenant_mismatch' ? 'anna' : 'carl';
      const before = await allContacts('anna');
      const res = await push(user, body());
      expect(res.status).toBe(status);
      expect(res.json.error.code).toBe(code);
      expect(res.json.error.message.length).toBeGreaterThan(5);
      expect(res.json.error.item).toBe(item);
      if (item !== undefined) expect(res.json.error.message.startsWith(`${item}: `)).toBe(true);
      expect(await allContacts('anna')).toEqual(before);
    });
  });

  it('refuses to move an existing record to another tenant (403, nothing applied)', async () => {
    const id = randomUUID();
    expect((await push('anna', pushBody([change({ id, tenant: 'sanitaer' })]))).status).toBe(200);
    const before = await allContacts('anna');
    const res = await push('anna', pushBody([change(), change({ id, field: 'email', value: 'x@y.de' })]));
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({ code: 'tenant_mismatch', item: `tischlerei/contact/${id}` });
    expect(await allContacts('anna')).toEqual(before);
  });

  it('refuses bad pull parameters', async () => {
    expect((await pull('anna', 'abc')).status).toBe(400);
    expect((await pull('anna', '0', 0)).status).toBe(400);
    expect((await pull('anna', '0', 999_999)).json.error.code).toBe('invalid_limit');
  });

  it('refuses users not in the directory, foreign CAs and revoked certificates', async () => {
    const stranger = f.cert('mallory');
    const res = await rawRequest(
      f.url,
      { key: stranger.keyPem, cert: stranger.certPem, ca: f.home.caPem },
      'GET',
      '/directory/me',
    );
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('unknown_user');
    const foreign = f.home.foreign('anna');
    await expect(
      rawRequest(f.url, { key: foreign.keyPem, cert: foreign.certPem, ca: f.home.caPem }, 'GET', '/directory/me'),
    ).rejects.toThrow();

    // revoked in the CRL: refused at the TLS handshake once the server has reloaded it
    const dora = f.home.issue('ben');
    const tls = { key: dora.keyPem, cert: dora.certPem, ca: f.home.caPem };
    expect((await rawRequest(f.url, tls, 'GET', '/directory/me')).status).toBe(200);
    f.home.revoke(dora);
    await expect
      .poll(
        () =>
          rawRequest(f.url, tls, 'GET', '/directory/me').then(
            (r) => r.status,
            () => 'refused',
          ),
        { timeout: 5000 },
      )
      .toBe('refused');
    expect((await rawRequest(f.url, f.tls('ben'), 'GET', '/directory/me')).status).toBe(200);
  });

  it('refuses a certificate whose serial the directory marks revoked', async () => {
    const cert = f.home.issue('carl');
    const tls = { key: cert.keyPem, cert: cert.certPem, ca: f.home.caPem };
    const x509 = new X509Certificate(cert.certPem);
    f.home.writeDirectory({
      ...TEST_DIRECTORY,
      users: TEST_DIRECTORY.users.map((u) =>
        u.id === 'carl'
          ? {
              ...u,
              certificates: [
                {
                  serial: x509.serialNumber,
                  notBefore: x509.validFrom,
                  notAfter: x509.validTo,
                  revokedAt: new Date().toISOString(),
                },
              ],
            }
          : u,
      ),
    });
    await expect
      .poll(async () => (await rawRequest(f.url, tls, 'GET', '/directory/me')).json?.error?.code, { timeout: 5000 })
      .toBe('certificate_revoked');
    f.home.writeDirectory(TEST_DIRECTORY);
  });
});
