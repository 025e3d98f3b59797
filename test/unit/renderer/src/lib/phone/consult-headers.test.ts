import { describe, expect, it } from 'vitest';
import {
  CONSULT_CALLER,
  CONSULT_DIALLED,
  consultAbout,
  consultHeaders,
  TRANSFER_DIALLED,
  transferDialled,
  transferHeaders,
  transferredBy,
} from '../../../../../../renderer/src/lib/phone/consult-headers.js';

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('consultation headers', () => {
  it('name the waiting caller and the firm number he dialled', () => {
    expect(consultHeaders({ remoteUser: '+4917612345678', dialled: '+492211234567', lookup: null })).toEqual([
      `${CONSULT_CALLER}: +4917612345678`,
      `${CONSULT_DIALLED}: +492211234567`,
    ]);
    // Nothing to say about a caller who is no number (a colleague).
    expect(consultHeaders({ remoteUser: 'tina', dialled: undefined, lookup: null })).toEqual([]);
  });

  it('are believed only on a colleague’s call, and only as numbers', () => {
    const sent = headers({ [CONSULT_CALLER]: '+4917612345678', [CONSULT_DIALLED]: '+492211234567' });
    expect(consultAbout(sent, 'colleague')).toEqual({ caller: '+4917612345678', dialled: '+492211234567' });
    expect(consultAbout(sent, 'outside')).toBeUndefined();
    expect(consultAbout(headers({ [CONSULT_CALLER]: 'x\r\nEvil: 1' }), 'colleague')).toBeUndefined();
    expect(consultAbout(headers({ [CONSULT_CALLER]: '+4917612345678', [CONSULT_DIALLED]: 'abc' }), 'colleague')).toEqual({
      caller: '+4917612345678',
      dialled: undefined,
    });
  });

  it('give a REFER the firm number, and take it back only as a number', () => {
    expect(transferHeaders({ dialled: '+492211234567', lookup: null })).toEqual([`${TRANSFER_DIALLED}: +492211234567`]);
    expect(transferHeaders({ dialled: undefined, lookup: null })).toEqual([]);
    expect(transferDialled(' +492211234567 ')).toBe('+492211234567');
    expect(transferDialled('tischlerei')).toBeUndefined();
  });

  it('take the transferor as a user id only', () => {
    expect(transferredBy(' anna ')).toBe('anna');
    expect(transferredBy('Anna Schmidt')).toBeUndefined();
    expect(transferredBy(undefined)).toBeUndefined();
  });
});
