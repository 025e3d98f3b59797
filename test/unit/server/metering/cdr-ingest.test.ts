import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CdrFileIngester } from '../../../../server/metering/cdr-ingest.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

// Lines as db_flatstore writes them for acc's CDRs (pbx/kamailio.cfg.template, cdr_extra order).
const line = (callId: string, firm = '+49301234567') =>
  `1796593994|1796593996|2.044000|${callId}|in|${firm}|mueller|+4917612345678|alice|1796593994.167908|1796593994.189491|1796593996.212346|\n`;

describe('CdrFileIngester', () => {
  const pglite = migratedPglite('vermittlung-cdr-ingest-');
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-cdr-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ids = async () =>
    (await pglite.db.query<{ call_id: string }>('SELECT call_id FROM pbx_cdr ORDER BY id')).rows.map((r) => r.call_id);

  it('stores complete lines once, leaves a line still being written for the next pass', async () => {
    const ingester = new CdrFileIngester(pglite.db, dir, () => undefined);
    writeFileSync(join(dir, 'pbx_cdr_7.log'), line('a@x') + line('b%7Cpipe@x') + '1796593994|1796');
    writeFileSync(join(dir, 'unrelated.log'), line('never@x'));
    expect(await ingester.ingest()).toBe(2);
    expect(await ingester.ingest()).toBe(0);
    appendFileSync(join(dir, 'pbx_cdr_7.log'), '593996|2.0|c@x|in|+49301234567|mueller||alice|1796593994.1|||\n');
    expect(await ingester.ingest()).toBe(1);
    expect(await ids()).toEqual(['a@x', 'b|pipe@x', 'c@x']);
    const { rows } = await pglite.db.query<{ started_at: Date; start_time: Date | string }>(
      "SELECT started_at, start_time FROM pbx_cdr WHERE call_id = 'a@x'",
    );
    expect(rows[0]!.started_at.toISOString()).toBe('2026-12-06T21:53:14.167Z');
  });

  it('finishes a file renamed for rotation and reads its successor from the start', async () => {
    const ingester = new CdrFileIngester(pglite.db, dir, () => undefined);
    appendFileSync(join(dir, 'pbx_cdr_7.log'), line('d@x'));
    renameSync(join(dir, 'pbx_cdr_7.log'), join(dir, 'pbx_cdr_7.log.2026-12-06'));
    writeFileSync(join(dir, 'pbx_cdr_7.log'), line('e@x'));
    expect(await ingester.ingest()).toBe(2);
    expect((await ids()).slice(3).sort()).toEqual(['d@x', 'e@x']);
    rmSync(join(dir, 'pbx_cdr_7.log.2026-12-06'));
    expect(await ingester.ingest()).toBe(0);
    expect((await pglite.db.query('SELECT 1 FROM pbx_cdr_file')).rows).toHaveLength(1);
  });
});
