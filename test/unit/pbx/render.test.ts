import { describe, expect, it } from 'vitest';
import { numberForms, tenantRoutes, visibilityRoutes } from '../../../pbx/render.js';
import { classifyConnectError, isPermanent } from '../../../electron/core/pbx/tls-errors.js';

describe('PBX config rendering', () => {
  it('accepts a tenant number in every form a German trunk may deliver', () => {
    expect(numberForms('+49 30 1234567').sort()).toEqual(['+49301234567', '0049301234567', '0301234567', '49301234567'].sort());
  });

  it('routes tenant numbers to teleworkers first, then craftsmen', () => {
    const routes = tenantRoutes(
      {
        version: 1,
        tenants: [{ id: 'mueller', name: 'Müller', numbers: ['+49301234567'] }],
        users: [
          { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['mueller'], certificates: [] },
          { id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller'], certificates: [] },
          { id: 'bob', name: 'Bob', role: 'teleworker', tenants: ['mueller'], certificates: [] },
          { id: 'zoe', name: 'Zoe', role: 'teleworker', tenants: [], certificates: [] },
        ],
      },
      'localhost',
    );
    expect(routes).toContain('$rU == "0301234567"');
    const targets = routes.slice(routes.indexOf('route[TENANT_TARGETS]'));
    const teleworkers = targets.slice(targets.indexOf('"teleworkers"'), targets.indexOf('"craftsmen"'));
    expect(teleworkers).toContain('$ru = "sip:alice@localhost"');
    expect(teleworkers).toContain('append_branch("sip:bob@localhost")');
    expect(teleworkers).not.toContain('carl');
    expect(routes).not.toContain('zoe');
  });

  it('fills the tenancy table so that only people sharing a tenant may watch each other', () => {
    const routes = visibilityRoutes({
      version: 1,
      tenants: [
        { id: 'mueller', name: 'Müller', numbers: [] },
        { id: 'schmidt', name: 'Schmidt', numbers: [] },
      ],
      users: [
        { id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller', 'schmidt'], certificates: [] },
        { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['mueller'], certificates: [] },
        { id: 'zoe', name: 'Zoe', role: 'teleworker', tenants: [], certificates: [] },
      ],
    });
    expect(routes).toContain('$sht(users=>zoe) = 1;');
    expect(routes).toContain('$sht(tenancy=>mueller:alice) = 1;');
    expect(routes).toContain('$sht(tenancy=>schmidt:alice) = 1;');
    expect(routes).toContain('$sht(tenancy=>mueller:carl) = 1;');
    expect(routes).not.toMatch(/tenancy=>\w+:zoe/);
    const shares = routes.slice(routes.indexOf('route[SHARES_TENANT]'));
    expect(shares).toContain('$sht(tenancy=>schmidt:$var(watcher)) == 1 && $sht(tenancy=>schmidt:$var(presentity)) == 1');
    expect(shares.trimEnd().endsWith('return -1;\n}')).toBe(true);
    expect(() =>
      visibilityRoutes({
        version: 1,
        tenants: [],
        users: [{ id: 'a=>b', name: 'x', role: 'teleworker', tenants: [], certificates: [] }],
      }),
    ).toThrow(/cannot go into the PBX config/);
  });

  it('renders a non-empty start block for a directory without users (Kamailio refuses an empty one)', () => {
    const routes = visibilityRoutes({ version: 1, tenants: [], users: [] });
    const init = routes.slice(routes.indexOf('event_route[htable:mod-init] {'), routes.indexOf('route[SHARES_TENANT]'));
    expect(init.split('\n')[1]).toMatch(/^\t\S.*;$/);
  });

  it('refuses values that could break out of the config', () => {
    expect(() =>
      tenantRoutes({ version: 1, tenants: [{ id: 'x";exit;"', name: 'x', numbers: ['+49301234567'] }], users: [] }, 'localhost'),
    ).toThrow(/cannot go into the PBX config/);
  });
});

describe('TLS refusal codes', () => {
  it.each([
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'no_certificate'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'unknown_ca'],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', 'certificate_revoked'],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'certificate_expired'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'server_untrusted'],
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'connection_lost'],
  ])('%s → %s', (code, expected) => {
    expect(classifyConnectError(Object.assign(new Error('x'), { code })).code).toBe(expected);
  });

  it('retries only what retrying can fix', () => {
    expect(isPermanent('certificate_revoked')).toBe(true);
    expect(isPermanent('refused')).toBe(false);
    expect(isPermanent('connection_lost')).toBe(false);
  });
});
