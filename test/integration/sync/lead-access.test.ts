import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVersion, type Change } from '../../../protocol/index.js';
import { DirectoryMe } from '../../../protocol/sync.js';
import type { Directory } from '../../../server/home/directory.js';
import { TEST_DIRECTORY, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { flatPulled, pushBody } from '../../helpers/sync-wire.js';

let tick = 0;
const change = (tenant: string, value: string): Change => ({
  table: 'contact',
  id: randomUUID(),
  tenant,
  field: 'name',
  value,
  version: formatVersion(Date.now(), tick++ % 99_999, 'aaaaaaaaaaaaaaaa'),
});

/** Lena leads the office: the directory gives her no tenant at all, yet she serves every firm. */
const DIRECTORY: Directory = {
  ...TEST_DIRECTORY,
  users: [...TEST_DIRECTORY.users, { id: 'lena', name: 'Lena L', role: 'lead', tenants: [], certificates: [] }],
};

describe('the office lead on the real sync server (PGlite)', () => {
  let f: SyncFixture;
  const push = (user: string, changes: Change[]) =>
    rawRequest(f.url, f.tls(user), 'POST', '/sync/push', JSON.stringify(pushBody(changes)));
  const pulled = async (user: string) =>
    flatPulled((await rawRequest(f.url, f.tls(user), 'GET', '/sync/pull?after=0&limit=1000')).json);

  beforeAll(async () => {
    f = await syncFixture('pglite', DIRECTORY);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('pulls the records of every firm, pushes into any, and a craftsman still sees only his own', async () => {
    const sanitaer = change('sanitaer', 'Herr Rohr');
    expect((await push('anna', [sanitaer])).status).toBe(200);
    const mine = change('tischlerei', 'Frau Span');
    expect((await push('lena', [mine])).status).toBe(200);

    const lena = await pulled('lena');
    expect(lena.find((c) => c.id === sanitaer.id)).toEqual({ ...sanitaer, author: 'anna' });
    expect(new Set(lena.filter((c) => c.table === 'tenant').map((c) => c.tenant))).toEqual(new Set(['tischlerei', 'sanitaer']));
    expect((await pulled('carl')).find((c) => c.id === mine.id)).toEqual({ ...mine, author: 'lena' });
    expect((await pulled('carl')).some((c) => c.id === sanitaer.id)).toBe(false);
    expect((await push('carl', [change('sanitaer', 'nope')])).status).toBe(403);
  });

  it('answers /directory/me with every firm for her, and shows her as a colleague of each firm', async () => {
    const me = DirectoryMe.parse((await rawRequest(f.url, f.tls('lena'), 'GET', '/directory/me')).json);
    expect(me.user).toEqual({ id: 'lena', name: 'Lena L', role: 'lead', tenants: ['tischlerei', 'sanitaer'] });
    expect(me.tenants.map((t) => t.id)).toEqual(['tischlerei', 'sanitaer']);
    const carl = DirectoryMe.parse((await rawRequest(f.url, f.tls('carl'), 'GET', '/directory/me')).json);
    expect(carl.colleagues.map((c) => c.id).sort()).toEqual(['anna', 'ben', 'lena']);
  });

  it('serves a firm added to the directory later, which nobody ever gave her', async () => {
    f.home.writeDirectory({
      ...DIRECTORY,
      tenants: [...DIRECTORY.tenants, { id: 'maler', name: 'Maler Pinsel', numbers: ['+4930333'] }],
      users: [...DIRECTORY.users, { id: 'dora', name: 'Dora D', role: 'teleworker', tenants: ['maler'], certificates: [] }],
    });
    const record = change('maler', 'Frau Farbe');
    await expect.poll(async () => (await push('dora', [record])).status, { timeout: 10_000, interval: 200 }).toBe(200);
    await expect
      .poll(async () => (await pulled('lena')).find((c) => c.id === record.id), { timeout: 10_000, interval: 200 })
      .toEqual({ ...record, author: 'dora' });
    expect((await pulled('anna')).some((c) => c.id === record.id)).toBe(false);
  });
});
