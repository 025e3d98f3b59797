import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatVersion } from '../../../../protocol/index.js';
import { WRITE_LOCK, writeFields, type FieldWrite } from '../../../../server/sync/field-writes.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const T0 = Date.UTC(2026, 5, 1);
const v = (ms: number, node = 'aaaaaaaaaaaaaaaa', counter = 0) => formatVersion(T0 + ms, counter, node);

describe('writeFields', () => {
  const pglite = migratedPglite('vermittlung-field-writes-');

  const write = (writes: FieldWrite[], author = 'anna') =>
    pglite.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      return writeFields(tx, writes, author);
    });
  const stored = async (id: string) =>
    (
      await pglite.db.query<{ field: string; value: unknown; version: string; seq: string; author: string }>(
        `SELECT field, value, version, seq::text AS seq, author FROM field_state WHERE id = $1 ORDER BY field`,
        [id],
      )
    ).rows;
  const name = (id: string, value: string, version: string): FieldWrite => ({
    table: 'contact',
    id,
    tenant: 'tischlerei',
    field: 'name',
    value,
    version,
  });

  // Orders of three versions of one field in one batch: the greatest wins wherever it stands.
  it.each([
    ['ascending', [1, 2, 3]],
    ['descending', [3, 2, 1]],
    ['greatest in the middle', [2, 3, 1]],
  ])('keeps the greatest of several versions of one field in one batch (%s)', async (_order, ms) => {
    const id = randomUUID();
    const writes = ms.map((m) => name(id, `v${m}`, v(m)));
    const outcomes = await write(writes);
    expect(outcomes.map((o) => o.status)).toEqual(ms.map((m) => (m === 3 ? 'applied' : 'superseded')));
    const [row] = await stored(id);
    expect(row).toMatchObject({ field: 'name', value: 'v3', version: v(3), author: 'anna' });
    expect(outcomes[ms.indexOf(3)]!.seq).toBe(row!.seq);
  });

  it('breaks a tie of time and counter inside one batch by node id', async () => {
    const id = randomUUID();
    const outcomes = await write([name(id, 'from b', v(5, 'bbbbbbbbbbbbbbbb')), name(id, 'from a', v(5, 'aaaaaaaaaaaaaaaa'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'superseded']);
    expect((await stored(id))[0]).toMatchObject({ value: 'from b' });
  });

  it('compares the counter within one millisecond as a number, not as text', async () => {
    const id = randomUUID();
    const outcomes = await write([
      name(id, 'counter 10', v(7, 'aaaaaaaaaaaaaaaa', 10)),
      name(id, 'counter 9', v(7, 'aaaaaaaaaaaaaaaa', 9)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'superseded']);
    expect((await stored(id))[0]).toMatchObject({ value: 'counter 10' });
  });

  it('lets a stored newer version beat every version of a later batch, and takes a newer one over it', async () => {
    const id = randomUUID();
    await write([name(id, 'stored', v(10))]);
    const older = await write([name(id, 'old 1', v(8)), name(id, 'old 2', v(9))], 'ben');
    expect(older.map((o) => o.status)).toEqual(['superseded', 'superseded']);
    expect((await stored(id))[0]).toMatchObject({ value: 'stored', author: 'anna' });
    const newer = await write([name(id, 'old', v(9)), name(id, 'new', v(11))], 'ben');
    expect(newer.map((o) => o.status)).toEqual(['superseded', 'applied']);
    expect((await stored(id))[0]).toMatchObject({ value: 'new', author: 'ben' });
  });

  it('is idempotent: the same batch again answers applied for its winners and writes nothing new', async () => {
    const id = randomUUID();
    const batch = [name(id, 'a', v(1)), name(id, 'b', v(2)), { ...name(id, 'x', v(1)), field: 'city' }];
    const first = await write(batch);
    const again = await write(batch);
    expect(again).toEqual(first);
    expect(first.map((o) => o.status)).toEqual(['superseded', 'applied', 'applied']);
  });

  it('numbers the fields of a batch in the order given, one new sequence number per field written', async () => {
    const id = randomUUID();
    const fields = ['street', 'city', 'name', 'email'];
    const outcomes = await write(fields.map((field, i) => ({ ...name(id, field, v(20 + i)), field })));
    const seqs = outcomes.map((o) => BigInt(o.seq!));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    expect(new Set(seqs).size).toBe(fields.length);
  });
});
