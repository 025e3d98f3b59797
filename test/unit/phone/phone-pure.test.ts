import { describe, expect, it } from 'vitest';
import { focusedLine } from '../../../renderer/src/lib/phone/focus.js';
import { parseDialInput } from '../../../renderer/src/lib/phone/number.js';
import { audioDirection } from '../../../renderer/src/lib/phone/sdp.js';
import type { LineView } from '../../../renderer/src/lib/phone/types.js';

describe('German dial input', () => {
  it.each([
    ['030 123 45-67', '+49301234567'],
    ['0171/2345678', '+491712345678'],
    ['+49 (0)30 1234567', '+49301234567'],
    ['0049 30 1234567', '+49301234567'],
    ['tel:+49-30-1234567', '+49301234567'],
    ['sip:bob@localhost', 'bob'],
    ['Bob', 'bob'],
    ['123', '123'],
    ['*21#', '*21#'],
  ])('%s dials %s', (input, user) => {
    expect(parseDialInput(input)).toMatchObject({ ok: true, user });
  });
  it.each(['', '   ', '030 12a', 'bob smith', '0', '+49 1'])('refuses %j', (input) => {
    expect(parseDialInput(input).ok).toBe(false);
  });
});

describe('hold detection from SDP', () => {
  const sdp = (dir: string) => `v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=${dir}\r\n`;
  it('reads the audio direction', () => {
    expect(audioDirection(sdp('sendonly'))).toBe('sendonly');
    expect(audioDirection(sdp('inactive'))).toBe('inactive');
    expect(audioDirection(sdp('sendrecv'))).toBe('sendrecv');
    expect(audioDirection('v=0\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n')).toBe('sendonly');
    expect(audioDirection('v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n')).toBe('inactive');
    expect(audioDirection(undefined)).toBe('sendrecv');
  });
});

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
