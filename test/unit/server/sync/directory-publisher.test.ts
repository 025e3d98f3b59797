import { describe, expect, it } from 'vitest';
import { tenantRecordId as clientId } from '../../../../electron/core/store/lookup.js';
import type { Directory } from '../../../../server/home/directory.js';
import { DirectoryPublisher, tenantRecordId as serverId } from '../../../../server/sync/directory-publisher.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

/**
 * The app seeds firms from directory.me before the first sync pull; the pull then brings the server's
 * record of the same firm. Only one shared id keeps that one row: two ids gave every firm twice in the
 * firm lists, and the notes screen failed on the duplicate keys.
 */
describe('tenant record id', () => {
  it('is the same in the app and on the server', () => {
    for (const slug of ['tischlerei', 'sanitaer', 'glaserei']) expect(clientId(slug)).toBe(serverId(slug));
    expect(clientId('tischlerei')).not.toBe(clientId('sanitaer'));
  });
});

describe('DirectoryPublisher and greeting templates', () => {
  const pglite = migratedPglite('vermittlung-publisher-greeting-');

  it('publishes a greeting with an unknown placeholder as written and logs what is wrong with it', async () => {
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const publisher = new DirectoryPublisher(pglite.db, '0123456789abcdef', (message, fields) =>
      logged.push({ message, fields }),
    );
    const directory: Directory = {
      version: 1,
      users: [],
      tenants: [
        { id: 'tischlerei', name: 'Tischlerei Holzwurm', numbers: ['+492211234567'], greeting: '{gruss}, {firmenname}' },
        { id: 'sanitaer', name: 'Sanitär Rohrfrei', numbers: ['+49301234567'], greeting: '{gruss}, {firma}, {name}' },
      ],
    };
    expect(await publisher.publish(directory)).toBeGreaterThan(0);
    expect(logged).toEqual([
      {
        message: 'greeting template has problems',
        fields: { tenant: 'tischlerei', problems: ['unknown placeholder {firmenname} (allowed: {firma}, {name}, {gruss})'] },
      },
    ]);
    const { rows } = await pglite.db.query<{ tenant: string; value: unknown }>(
      `SELECT tenant, value FROM field_state WHERE tbl = 'tenant' AND field = 'greeting' ORDER BY tenant`,
    );
    expect(rows).toEqual([
      { tenant: 'sanitaer', value: '{gruss}, {firma}, {name}' },
      { tenant: 'tischlerei', value: '{gruss}, {firmenname}' },
    ]);
  });
});
