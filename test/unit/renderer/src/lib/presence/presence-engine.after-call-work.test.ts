import { describe, expect, it } from 'vitest';
import { startsAfterCallWork } from '../../../../../../renderer/src/lib/presence/presence-engine.js';

const base = { id: 'l1', status: 'ended', caller: undefined, outcome: 'answered', transfer: undefined } as const;

describe('which ended calls start "Nacharbeit"', () => {
  it("a firm's customer call, in or out, starts it", () => {
    expect(startsAfterCallWork({ ...base, direction: 'in', remoteUser: '+4917612345678', caller: 'outside' })).toBe(true);
    expect(startsAfterCallWork({ ...base, direction: 'out', remoteUser: '+4917612345678' })).toBe(true);
  });

  it('a call with a colleague, either way, and a call handed on start none', () => {
    expect(startsAfterCallWork({ ...base, direction: 'in', remoteUser: 'anna', caller: 'colleague' })).toBe(false);
    expect(startsAfterCallWork({ ...base, direction: 'out', remoteUser: 'max' })).toBe(false);
    expect(startsAfterCallWork({ ...base, direction: 'in', remoteUser: '+4917612345678', outcome: 'forwarded' })).toBe(false);
    expect(
      startsAfterCallWork({
        ...base,
        direction: 'in',
        remoteUser: '+4917612345678',
        transfer: { kind: 'blind', target: 'max', state: 'done' },
      }),
    ).toBe(false);
  });
});
