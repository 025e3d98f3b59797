import { describe, expect, it } from 'vitest';
import { isStorageFull, isUnavailable } from '../../../../server/db/database.js';

describe('isStorageFull', () => {
  it("knows PostgreSQL's disk_full and the file system's ENOSPC, and nothing else", () => {
    expect(isStorageFull({ code: '53100', message: 'could not extend file "base/16384/16390": No space left on device' })).toBe(
      true,
    );
    expect(isStorageFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStorageFull(new Error('ENOSPC: No space left on device, write'))).toBe(true);
    expect(isStorageFull({ code: '23505', message: 'duplicate key' })).toBe(false);
    expect(isStorageFull(null)).toBe(false);
    // a full disk is not an unreachable database: the server says which
    expect(isUnavailable({ code: '53100', message: 'No space left on device' })).toBe(false);
  });
});
