import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodePulled, formatVersion, toWireVersion } from '../../../protocol/index.js';

describe('decodePulled', () => {
  const id = randomUUID();
  const v = formatVersion(Date.UTC(2026, 0, 1), 3, '0123456789abcdef');
  const page = (leaf: unknown, field = 'body', table = 'note') => ({ tischlerei: { [table]: { [id]: { [field]: leaf } } } });
  it('flattens a grouped page into changes with canonical versions', () => {
    expect(decodePulled(page(['x', toWireVersion(v), 'anna']))).toEqual([
      { table: 'note', id, tenant: 'tischlerei', field: 'body', value: 'x', version: v, author: 'anna' },
    ]);
  });
  it('refuses a malformed entry, naming its path', () => {
    expect(() => decodePulled(page(['x', v, 'anna']))).toThrow(`tischlerei/note/${id}/body`);
    expect(() => decodePulled(page([{ nested: 1 }, toWireVersion(v), 'anna']))).toThrow('malformed');
    expect(() => decodePulled(page(['x', toWireVersion(v), 'anna'], 'iban'))).toThrow('/iban');
    expect(() => decodePulled(page(['x', toWireVersion(v), 'anna'], 'body', 'invoice'))).toThrow('tischlerei/invoice');
    expect(() => decodePulled(page(['x', toWireVersion(v)]))).toThrow('malformed');
  });
});
