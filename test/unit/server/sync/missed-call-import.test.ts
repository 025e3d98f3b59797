import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedCallRecordId, importMissedCalls, missedCallsDir } from '../../../../server/sync/missed-call-import.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const NODE = '7e7e7e7e7e7e7e7e';

describe('calls to closed firms become synced missed calls', () => {
  const pglite = migratedPglite('vermittlung-missed-import-');
  const pbxDir = mkdtempSync(join(tmpdir(), 'vermittlung-missed-'));
  const spool = missedCallsDir(pbxDir);
  afterAll(() => rmSync(pbxDir, { recursive: true, force: true }));
  const call = {
    tenant: 'tischlerei',
    caller: '+4917612345678',
    dialled: '+492211234567',
    callId: 'abc@host',
    at: '2026-12-07T20:00:00.000Z',
  };

  const fieldsOf = async (id: string) => {
    const { rows } = await pglite.db.query<{ field: string; value: unknown; tenant: string }>(
      `SELECT field, value, tenant FROM field_state WHERE tbl = 'call' AND id = $1::uuid`,
      [id],
    );
    return { tenant: rows[0]?.tenant, fields: Object.fromEntries(rows.map((r) => [r.field, r.value])) };
  };

  it("writes an incoming missed call of the firm with the caller's number, and removes the file", async () => {
    mkdirSync(spool, { recursive: true });
    writeFileSync(join(spool, '1-abc.json'), JSON.stringify(call));
    writeFileSync(join(spool, '2-broken.json'), '{"tenant": "../x"}');
    expect(await importMissedCalls(pglite.db, NODE, pbxDir)).toBe(1);
    expect(await fieldsOf(closedCallRecordId('abc@host'))).toEqual({
      tenant: 'tischlerei',
      fields: {
        direction: 'in',
        remote_number: '+4917612345678',
        dialled_number: '+492211234567',
        started_at: '2026-12-07T20:00:00.000Z',
        ended_at: '2026-12-07T20:00:00.000Z',
        outcome: 'missed',
        _deleted: false,
      },
    });
    expect(readdirSync(spool)).toEqual([]);
  });

  it('stays one call when the same file comes again, and does nothing without a spool', async () => {
    writeFileSync(join(spool, '3-abc.json'), JSON.stringify(call));
    expect(await importMissedCalls(pglite.db, NODE, pbxDir)).toBe(1);
    const { rows } = await pglite.db.query<{ n: number }>(
      `SELECT count(DISTINCT id)::int AS n FROM field_state WHERE tbl = 'call' AND field = 'remote_number'`,
    );
    expect(rows[0]!.n).toBe(1);
    expect(await importMissedCalls(pglite.db, NODE, join(pbxDir, 'nothing-here'))).toBe(0);
  });
});
