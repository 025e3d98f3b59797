import { describe, expect, it } from 'vitest';
import { pbxEnvironment } from '../../../../packaging/server/pbx-config.js';

/** /etc/vermittlung/vermittlung.conf as the PBX units read it: defaults, and a named refusal for each bad value. */
describe('PBX settings of the installed server', () => {
  it('fills what IT left empty with the documented defaults', () => {
    const env = pbxEnvironment({ VERMITTLUNG_PBX_IP: '192.0.2.10', VERMITTLUNG_TRUNK: '' });
    expect(env).toEqual({
      ip: '192.0.2.10',
      udpPort: 5060,
      ng: '127.0.0.1:2225',
      rtpMin: 30000,
      rtpMax: 39999,
      trunk: undefined,
    });
    expect(pbxEnvironment({}).ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it.each([
    [{ VERMITTLUNG_PBX_IP: 'pbx.example.de' }, 'VERMITTLUNG_PBX_IP must be an IPv4 address'],
    [{ VERMITTLUNG_PBX_UDP_PORT: '70000' }, 'VERMITTLUNG_PBX_UDP_PORT must be 1..65535'],
    [{ VERMITTLUNG_RTPENGINE_NG: 'localhost' }, 'VERMITTLUNG_RTPENGINE_NG must be IPv4:PORT'],
    [{ VERMITTLUNG_RTP_PORTS: '40000-30000' }, 'VERMITTLUNG_RTP_PORTS must be MIN-MAX'],
  ])('refuses %o', (vars, message) => {
    expect(() => pbxEnvironment({ VERMITTLUNG_PBX_IP: '127.0.0.1', ...vars })).toThrow(message);
  });
});
