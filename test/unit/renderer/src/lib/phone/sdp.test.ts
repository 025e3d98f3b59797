import { describe, expect, it } from 'vitest';
import { audioDirection } from '../../../../../../renderer/src/lib/phone/sdp.js';

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
