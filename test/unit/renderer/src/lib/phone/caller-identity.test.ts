import { describe, expect, it } from 'vitest';
import { callerLabel, incomingCaller } from '../../../../../../renderer/src/lib/phone/caller-identity.js';

const directory: Record<string, string> = { carol: 'Carol Becker' };
const names = (id: string) => directory[id];

describe('who calls: a colleague only on the PBX’s word', () => {
  it('takes the colleague from the PBX’s assertion, not from From', () => {
    expect(incomingCaller('carol', 'carol')).toEqual({ remoteUser: 'carol', remoteName: undefined, caller: 'colleague' });
    // The assertion wins over whatever From says.
    expect(incomingCaller('+4930999', 'carol').remoteUser).toBe('carol');
  });

  it('keeps a call without the assertion outside, whatever its From names', () => {
    expect(incomingCaller('carol', undefined)).toEqual({ remoteUser: 'carol', remoteName: undefined, caller: 'outside' });
    expect(incomingCaller('%2B4917612345678', undefined)).toMatchObject({ remoteUser: '+4917612345678', caller: 'outside' });
    expect(incomingCaller(undefined, undefined)).toMatchObject({ remoteUser: '', caller: 'outside' });
  });

  it('does not take an assertion that is no user id as one', () => {
    for (const bad of ['', '   ', 'Carol Becker', 'carol@evil.example', '<sip:carol@x>', 'a'.repeat(64)])
      expect(incomingCaller('+4930999', bad).caller, JSON.stringify(bad)).toBe('outside');
  });

  it('names a colleague from the directory, never from the display name', () => {
    const line = { remoteUser: 'carol', remoteName: 'Chefin', caller: 'colleague' as const, lookup: null };
    expect(callerLabel(line, names)).toEqual({ kind: 'colleague', name: 'Carol Becker' });
    // Before the directory arrived: the user id, still not the display name.
    expect(callerLabel(line, () => undefined)).toEqual({ kind: 'colleague', name: 'carol' });
  });

  it('shows an outside caller as outside, named only by the firm’s own contacts', () => {
    const line = { remoteUser: 'carol', remoteName: 'Carol Becker', caller: 'outside' as const, lookup: null };
    expect(callerLabel(line, names)).toEqual({ kind: 'outside', name: undefined, number: 'carol' });
    const known = { ...line, remoteUser: '+4917612345678', lookup: { contact: { name: 'Frieda Meier' } } };
    expect(callerLabel(known, names)).toEqual({ kind: 'outside', name: 'Frieda Meier', number: '+4917612345678' });
  });

  it('names a colleague we called (a consultation) from the directory', () => {
    expect(callerLabel({ remoteUser: 'carol', remoteName: undefined, lookup: null }, names)).toEqual({
      kind: 'colleague',
      name: 'Carol Becker',
    });
  });

  it('leaves calls we placed to somebody not in the directory as dialled', () => {
    expect(callerLabel({ remoteUser: 'max', remoteName: undefined, lookup: null }, names)).toEqual({
      kind: 'dialled',
      name: undefined,
      number: 'max',
    });
  });
});
