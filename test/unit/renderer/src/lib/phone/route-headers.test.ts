import { describe, expect, it } from 'vitest';
import { routeOf } from '../../../../../../renderer/src/lib/phone/route-headers.js';

const invite = (headers: Record<string, string>) => ({
  getHeader: (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
});

describe("the PBX's routing headers on an incoming INVITE", () => {
  it('reads the mode and the fallback reason', () => {
    expect(routeOf(invite({ 'X-Vermittlung-Mode': 'consultation', 'X-Vermittlung-Fallback': 'declined' }))).toEqual({
      mode: 'consultation',
      fallback: 'declined',
    });
    expect(routeOf(invite({ 'x-vermittlung-mode': ' service ' }))).toEqual({ mode: 'service', fallback: undefined });
  });

  it('takes no header, and a value outside the contract, as absent', () => {
    expect(routeOf(invite({}))).toBeUndefined();
    expect(routeOf(invite({ 'X-Vermittlung-Mode': 'party', 'X-Vermittlung-Fallback': 'maybe' }))).toBeUndefined();
    expect(routeOf(invite({ 'X-Vermittlung-Mode': 'closed', 'X-Vermittlung-Fallback': 'maybe' }))).toEqual({
      mode: 'closed',
      fallback: undefined,
    });
  });
});
