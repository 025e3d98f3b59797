import { describe, expect, it } from 'vitest';
import { focusedLine } from '../../../../../../renderer/src/lib/phone/focus.js';
import type { LineView } from '../../../../../../renderer/src/lib/phone/types.js';

describe('which line the call card shows', () => {
  const line = (id: string, status: LineView['status'], localHold = false) => ({ id, status, localHold }) as LineView;
  it('a new ringing call replaces the lingering card of the call that just ended', () => {
    expect(focusedLine([line('a', 'ended'), line('b', 'ringing')], 'a')).toBe('b');
  });
  it('the ended card stays while nothing else is live', () => {
    expect(focusedLine([line('a', 'ended')], 'a')).toBe('a');
  });
  it('a live focused line keeps the card during call waiting', () => {
    expect(focusedLine([line('a', 'connected'), line('b', 'ringing')], 'a')).toBe('a');
  });
  it('without a focused line: ringing first, then a line not on hold', () => {
    expect(focusedLine([line('a', 'connected'), line('b', 'ringing')], undefined)).toBe('b');
    expect(focusedLine([line('a', 'connected', true), line('b', 'connected')], 'gone')).toBe('b');
    expect(focusedLine([], 'gone')).toBeUndefined();
  });
});
