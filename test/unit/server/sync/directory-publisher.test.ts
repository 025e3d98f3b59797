import { describe, expect, it } from 'vitest';
import { tenantRecordId as clientId } from '../../../../electron/core/store/lookup.js';
import { tenantRecordId as serverId } from '../../../../server/sync/directory-publisher.js';

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
