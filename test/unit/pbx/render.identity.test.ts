import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderPbx, type PbxRenderOptions } from '../../../pbx/render.js';
import { homeLayout, type HomeLayout } from '../../../server/home/layout.js';

/** The `[section]`s of a rendered tls.cfg as key → value maps. */
function profiles(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    const section = /^\[(.+)\]$/.exec(line.trim());
    if (section) out.set(section[1]!, (current = {}));
    const pair = /^([a-z_]+)\s*=\s*(.*)$/.exec(line.trim());
    if (pair && current) current[pair[1]!] = pair[2]!;
  }
  return out;
}

describe('the rendered PBX config binds connections to certificates of the office CA', () => {
  let home: string;
  let layout: HomeLayout;
  const options = (overrides: Partial<PbxRenderOptions> = {}): PbxRenderOptions => ({
    layout,
    directory: { version: 1, tenants: [], users: [] },
    wssPort: 45_061,
    udpPort: 45_060,
    rtpengineNg: 'udp:127.0.0.1:45062',
    sipDomain: 'pbx.example.de',
    ...overrides,
  });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'vermittlung-render-'));
    layout = homeLayout(home);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('makes the WSS listener require and verify a client certificate of the office CA, checked against its CRL', () => {
    const rendered = renderPbx(options());
    const tls = profiles(readFileSync(rendered.tlsCfg, 'utf8'));
    for (const name of ['127.0.0.1:45061', 'default']) {
      expect(tls.get(`server:${name}`), name).toMatchObject({
        verify_certificate: 'yes',
        require_certificate: 'yes',
        ca_list: layout.caCert,
        crl: layout.crl,
        certificate: layout.serverCert,
        private_key: layout.serverKey,
      });
      expect(tls.get(`server:${name}`)!.method).toBe('TLSv1.2+');
    }
    const cfg = readFileSync(rendered.cfg, 'utf8');
    expect(cfg).toContain(`listen=tls:127.0.0.1:45061`);
    expect(cfg).toContain(`modparam("tls", "config", "${rendered.dir}/tls.cfg")`);
  });

  it.each([
    ['a quote', 'pbx.example.de";exit;"'],
    ['a space', 'pbx example.de'],
    ['a newline', 'pbx.example.de\nroute(RELAY);'],
    ['a URI delimiter', 'pbx.example.de;transport=udp'],
    ['nothing', ''],
  ])('refuses a SIP domain with %s instead of writing it into the config', (_what, sipDomain) => {
    expect(() => renderPbx(options({ sipDomain }))).toThrow(/SIP domain .* cannot go into the PBX config/);
  });

  it('refuses a home whose certificate paths Kamailio’s config could not quote', () => {
    const spaced = homeLayout(join(home, 'with space'));
    expect(() => renderPbx(options({ layout: spaced }))).toThrow(/quotes or spaces/);
  });
});
