import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbTextTable, directoryRows, numberForms, writeDirectoryTable } from '../../../pbx/directory-table.js';
import { bareAlias, cdrDefines, parseUdpPeer, trunkDefines, udpPeerRoute } from '../../../pbx/render.js';
import { firmNumberForms } from '../../../server/metering/firm-numbers.js';
import type { Directory } from '../../../server/home/directory.js';
import { classifyConnectError, isPermanent } from '../../../electron/core/pbx/tls-errors.js';

describe('the PBX directory table', () => {
  const directory: Directory = {
    version: 1,
    tenants: [
      { id: 'mueller', name: 'Müller', numbers: ['+49 30 1234567'] },
      { id: 'schmidt', name: 'Schmidt', numbers: [] },
    ],
    users: [
      { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['mueller'], certificates: [] },
      { id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller', 'schmidt'], certificates: [] },
      { id: 'bob', name: 'Bob', role: 'teleworker', tenants: ['mueller'], certificates: [] },
      { id: 'zoe', name: 'Zoe', role: 'teleworker', tenants: [], certificates: [] },
    ],
  };
  const values = (key: string) =>
    directoryRows(directory)
      .filter((row) => row.key === key)
      .map((row) => row.value);

  it('accepts a tenant number in every form a German trunk may deliver', () => {
    expect(numberForms('+49 30 1234567').sort()).toEqual(['+49301234567', '0049301234567', '0301234567', '49301234567'].sort());
    for (const form of ['+49301234567', '0049301234567', '0301234567', '49301234567'])
      expect(values(`number:${form}`)).toEqual(['mueller']);
  });

  it('lists who serves a tenant, teleworkers apart from craftsmen, as arrays', () => {
    const rows = directoryRows(directory);
    expect(rows.filter((row) => row.key === 'serving:mueller:teleworkers').every((row) => row.array)).toBe(true);
    expect(values('serving:mueller:teleworkers')).toEqual(['alice', 'bob']);
    expect(values('serving:mueller:craftsmen')).toEqual(['carl']);
    expect(values('serving:schmidt:teleworkers')).toEqual(['alice']);
    expect(values('serving:schmidt:craftsmen')).toEqual([]);
  });

  it('knows every user and the tenants each serves (who may watch whom)', () => {
    expect(values('user:zoe')).toEqual([1]);
    expect(values('tenancy:mueller:alice')).toEqual([1]);
    expect(values('tenancy:schmidt:alice')).toEqual([1]);
    expect(values('tenancy:schmidt:bob')).toEqual([]);
    expect(values('tenants:alice')).toEqual(['mueller', 'schmidt']);
    expect(values('tenants:zoe')).toEqual([]);
  });

  it('makes a lead a user of every tenant, ringing with the teleworkers, also of a tenant added later', () => {
    const lead = { id: 'lena', name: 'Lena', role: 'lead' as const, tenants: [], certificates: [] };
    const later: Directory = {
      ...directory,
      tenants: [...directory.tenants, { id: 'maler', name: 'Maler', numbers: [] }],
      users: [...directory.users, lead],
    };
    const of = (key: string) =>
      directoryRows(later)
        .filter((row) => row.key === key)
        .map((row) => row.value);
    expect(of('user:lena')).toEqual([1]);
    expect(of('tenants:lena')).toEqual(['mueller', 'schmidt', 'maler']);
    for (const tenant of ['mueller', 'schmidt', 'maler']) {
      expect(of(`tenancy:${tenant}:lena`), tenant).toEqual([1]);
      expect(of(`serving:${tenant}:teleworkers`), tenant).toContain('lena');
      expect(of(`serving:${tenant}:craftsmen`), tenant).not.toContain('lena');
    }
  });

  it("writes Kamailio's htable schema with escaped delimiters, rows of one array together", () => {
    const lines = dbTextTable(directoryRows(directory)).trimEnd().split('\n');
    expect(lines[0]).toBe(readFileSync('/usr/share/kamailio/dbtext/kamailio/htable', 'utf8').trim());
    expect(lines).toContain(`${lines.findIndex((l) => l.includes('user\\:zoe'))}:user\\:zoe:0:1:1:0`);
    const tenantsOfAlice = lines.map((line, index) => (line.includes('tenants\\:alice:1:0:') ? index : -1)).filter((i) => i >= 0);
    expect(tenantsOfAlice).toHaveLength(2);
    expect(tenantsOfAlice[1]! - tenantsOfAlice[0]!).toBe(1);
  });

  it('moves the file mtime on by a second at least, so db_text sees two writes within one second', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-htable-'));
    try {
      const file = writeDirectoryTable(dir, directory);
      const first = Math.floor(statSync(file).mtimeMs / 1000);
      writeDirectoryTable(dir, { ...directory, users: [] });
      const second = Math.floor(statSync(file).mtimeMs / 1000);
      expect(second).toBeGreaterThan(first);
      expect(readFileSync(file, 'utf8')).not.toContain('user\\:zoe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses values that could break out of a key or URI', () => {
    expect(() =>
      directoryRows({ version: 1, tenants: [{ id: 'x";exit;"', name: 'x', numbers: ['+49301234567'] }], users: [] }),
    ).toThrow(/cannot go into the PBX directory/);
  });
});

describe('where the PBX writes its call detail records', () => {
  it('appends to flat files by default, into the server’s PostgreSQL when it is given', () => {
    expect(cdrDefines(undefined, '/srv/home/pbx/cdr')).toBe('#!define CDR_DB_URL "flatstore:/srv/home/pbx/cdr"');
    expect(cdrDefines('postgres://postgres@127.0.0.1:5432/vermittlung', '/x')).toBe(
      '#!define CDR_POSTGRES\n#!define CDR_DB_URL "postgres://postgres@127.0.0.1:5432/vermittlung"',
    );
  });

  it('refuses a database URL that could break out of the config string', () => {
    expect(() => cdrDefines('postgres://a@b:1/db" ; loadmodule "x', '/x')).toThrow(/must be postgres/);
    expect(() => cdrDefines('mysql://a@b/db', '/x')).toThrow(/must be postgres/);
  });

  it('the server matches a CDR to its firm in every number form the PBX itself accepts', () => {
    expect(firmNumberForms(['+49 30 1234567']).sort()).toEqual(numberForms('+49 30 1234567').sort());
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

describe('the outbound trunk in the rendered config', () => {
  it('is switched on only for a trunk given as host:port', () => {
    expect(trunkDefines(undefined)).not.toContain('WITH_TRUNK');
    expect(trunkDefines('127.0.0.1:5080')).toBe('#!define WITH_TRUNK\n#!define TRUNK_HOSTPORT "127.0.0.1:5080"');
    expect(() => trunkDefines('sip:gw";exit;":5080')).toThrow(/host:port/);
    expect(() => trunkDefines('gw.example')).toThrow(/host:port/);
  });
});

describe('the UDP peers in the rendered config', () => {
  it('allows every UDP source only when neither peers nor a trunk are configured', () => {
    expect(udpPeerRoute(undefined, undefined)).toContain('return 1;');
    expect(udpPeerRoute(undefined, undefined)).not.toContain('return -1;');
    expect(udpPeerRoute(undefined, [])).toBe('\treturn -1;');
  });

  it("allows the trunk's address on any port and each peer as listed", () => {
    expect(udpPeerRoute('192.0.2.10:5060', ['198.51.100.7', '203.0.113.5:5080', '[2001:db8::1]:5060']).split('\n')).toEqual([
      '\tif ($si == "198.51.100.7") return 1;',
      '\tif ($si == "203.0.113.5" && $sp == 5080) return 1;',
      '\tif ($si == "2001:db8::1" && $sp == 5060) return 1;',
      '\tif ($si == "192.0.2.10") return 1;',
      '\treturn -1;',
    ]);
  });

  it('wants the addresses of a trunk named by host, and refuses what is not an address', () => {
    expect(() => udpPeerRoute('gw.example:5060', undefined)).toThrow(/named by host/);
    expect(udpPeerRoute('gw.example:5060', ['192.0.2.10'])).toContain('"192.0.2.10"');
    for (const bad of ['gw.example', '1.2.3.4:0', '1.2.3.4:70000', '1.2.3.4"; exit; "', '300.1.1.1', ''])
      expect(() => parseUdpPeer(bad), bad).toThrow(/must be an IP address/);
    expect(parseUdpPeer('::1')).toEqual({ ip: '::1' });
  });

  it('gives an IP address as SIP domain no alias without a port, a name one', () => {
    expect(bareAlias('localhost')).toBe('alias=localhost');
    expect(bareAlias('127.0.0.1')).not.toContain('alias=');
  });
});
