import { mkdtempSync, rmSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessControl, normaliseSerial } from '../../../../server/auth/access.js';
import { writeDirectory, type Directory, type DirectoryUserEntry } from '../../../../server/home/directory.js';
import { homeLayout, type HomeLayout } from '../../../../server/home/layout.js';
import type { SyncHttpError } from '../../../../server/sync/errors.js';

const cert = (serial: string, revokedAt?: string) => ({
  serial,
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2027-01-01T00:00:00Z',
  ...(revokedAt ? { revokedAt } : {}),
});

const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'tischlerei', name: 'Tischlerei', numbers: [] },
    { id: 'sanitaer', name: 'Sanitär', numbers: [] },
    { id: 'maler', name: 'Maler', numbers: [] },
  ],
  users: [
    {
      id: 'anna',
      name: 'Anna',
      role: 'teleworker',
      tenants: ['sanitaer', 'tischlerei'],
      certificates: [cert('0A1B'), cert('0C', '2026-02-01T00:00:00Z')],
    },
    { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['tischlerei'], certificates: [cert('0D')] },
    { id: 'zoe', name: 'Zoe', role: 'teleworker', tenants: [], certificates: [cert('0E')] },
    { id: 'lena', name: 'Lena', role: 'lead', tenants: ['maler'], certificates: [cert('0F')] },
  ],
  removedCertificates: [{ ...cert('FF01', '2026-03-01T00:00:00Z'), user: 'carl' }],
};

const peer = (cn: string | string[] | undefined, serialNumber = '99') =>
  ({ subject: cn === undefined ? {} : { CN: cn }, serialNumber }) as unknown as PeerCertificate;

function refusal(fn: () => unknown): { status: number; code: string } {
  try {
    fn();
  } catch (error) {
    const { status, code } = error as SyncHttpError;
    return { status, code };
  }
  throw new Error('expected a refusal');
}

describe('AccessControl', () => {
  let dir: string;
  let layout: HomeLayout;
  let access: AccessControl;
  const user = (id: string): DirectoryUserEntry => DIRECTORY.users.find((u) => u.id === id)!;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vermittlung-access-'));
    layout = homeLayout(dir);
    writeDirectory(layout.directory, DIRECTORY);
    access = new AccessControl(layout, () => undefined);
  });
  afterEach(() => {
    access.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('mayServe: who may read and write a tenant', () => {
    it('allows exactly the tenants the directory lists for the user', () => {
      expect(access.mayServe(user('anna'), 'tischlerei')).toBe(true);
      expect(access.mayServe(user('anna'), 'sanitaer')).toBe(true);
      expect(access.mayServe(user('anna'), 'maler')).toBe(false);
      expect(access.mayServe(user('carl'), 'tischlerei')).toBe(true);
      expect(access.mayServe(user('carl'), 'sanitaer')).toBe(false);
      expect(access.mayServe(user('zoe'), 'tischlerei')).toBe(false);
    });

    it("lets a craftsman write his own firm's schedule, the office lead every firm's, and the teleworkers only read it", () => {
      expect(access.mayWrite(user('carl'), 'tischlerei', 'firm_schedule')).toBe(true);
      expect(access.mayWrite(user('carl'), 'sanitaer', 'firm_schedule')).toBe(false);
      expect(access.mayWrite(user('anna'), 'tischlerei', 'firm_schedule')).toBe(false);
      expect(access.mayWrite(user('anna'), 'tischlerei', 'note')).toBe(true);
      expect(access.mayWrite(user('anna'), 'maler', 'note')).toBe(false);
      expect(access.mayWrite(user('lena'), 'sanitaer', 'firm_schedule')).toBe(true);
    });

    it('leaves contracts, billed items and the no-bill confirmation to the lead; hides billing from teleworkers only', () => {
      for (const table of ['firm_contract', 'billing_item'] as const) {
        expect(access.mayWrite(user('lena'), 'tischlerei', table)).toBe(true);
        expect(access.mayWrite(user('carl'), 'tischlerei', table)).toBe(false);
        expect(access.mayWrite(user('anna'), 'tischlerei', table)).toBe(false);
      }
      expect(access.mayWrite(user('anna'), 'tischlerei', 'call', 'no_bill_reason')).toBe(true);
      expect(access.mayWrite(user('anna'), 'tischlerei', 'call', 'no_bill_confirmed_by')).toBe(false);
      expect(access.mayWrite(user('lena'), 'tischlerei', 'call', 'no_bill_confirmed_by')).toBe(true);
      expect(access.hiddenTables(user('anna'))).toEqual(['firm_contract', 'billing_item', 'firm_usage']);
      expect(access.hiddenTables(user('carl'))).toEqual([]);
      expect(access.hiddenTables(user('lena'))).toEqual([]);
      expect(access.mayReadBilling(user('carl'), 'tischlerei')).toBe(true);
      expect(access.mayReadBilling(user('carl'), 'sanitaer')).toBe(false);
      expect(access.mayReadBilling(user('anna'), 'tischlerei')).toBe(false);
      expect(access.mayReadBilling(user('lena'), 'sanitaer')).toBe(true);
    });

    it('never matches a tenant by prefix, case or an empty name', () => {
      for (const tenant of ['tischlere', 'tischlerei2', 'Tischlerei', '', ' tischlerei'])
        expect(access.mayServe(user('carl'), tenant), tenant).toBe(false);
    });

    it('lists the tenants served in the user’s own order, and none for a user without tenants', () => {
      expect(access.tenantsServed(user('anna'))).toEqual(['sanitaer', 'tischlerei']);
      expect(access.tenantsServed(user('carl'))).toEqual(['tischlerei']);
      expect(access.tenantsServed(user('zoe'))).toEqual([]);
    });

    it('answers for the live socket by user id, and not at all once the user has left the directory', () => {
      expect(access.tenantsOf('carl')).toEqual(['tischlerei']);
      expect(access.tenantsOf('mallory')).toBeUndefined();
    });
  });

  describe('identify: the caller behind a certificate', () => {
    it('maps the CN to its directory user and normalises the serial', () => {
      const caller = access.identify(peer('anna', '00:0A:1b'));
      expect(caller.user.id).toBe('anna');
      expect(caller.serial).toBe('a1b');
      expect(access.identify(peer(['carl', 'anna'], '0D')).user.id).toBe('carl');
    });

    it('refuses no certificate, no CN and a CN not in the directory', () => {
      expect(refusal(() => access.identify(undefined))).toEqual({ status: 403, code: 'no_certificate' });
      expect(refusal(() => access.identify(peer(undefined)))).toEqual({ status: 403, code: 'no_certificate' });
      expect(refusal(() => access.identify(peer('')))).toEqual({ status: 403, code: 'no_certificate' });
      expect(refusal(() => access.identify(peer('mallory')))).toEqual({ status: 403, code: 'unknown_user' });
      expect(refusal(() => access.identify(peer('Anna')))).toEqual({ status: 403, code: 'unknown_user' });
    });

    it('refuses a serial the directory marks revoked, however it is spelt, also of a removed user', () => {
      for (const serial of ['0C', '0c', '00:0C', 'c'])
        expect(
          refusal(() => access.identify(peer('anna', serial))),
          serial,
        ).toEqual({
          status: 403,
          code: 'certificate_revoked',
        });
      expect(refusal(() => access.identify(peer('carl', 'ff:01')))).toEqual({ status: 403, code: 'certificate_revoked' });
    });
  });

  it('allows a connection while its user is in the directory and its serial is not revoked', () => {
    expect(access.allows('anna', 'a1b')).toBe(true);
    expect(access.allows('anna', 'c')).toBe(false);
    expect(access.allows('carl', 'ff01')).toBe(false);
    expect(access.allows('mallory', 'a1b')).toBe(false);
  });

  describe('a lead (Büroleitung) serves every firm', () => {
    it('may serve every tenant of the directory, her listed ones first, and nothing that is no tenant', () => {
      for (const tenant of ['tischlerei', 'sanitaer', 'maler']) expect(access.mayServe(user('lena'), tenant), tenant).toBe(true);
      for (const tenant of ['tischlere', 'Maler', '', 'unbekannt'])
        expect(access.mayServe(user('lena'), tenant), tenant).toBe(false);
      expect(access.tenantsServed(user('lena'))).toEqual(['maler', 'tischlerei', 'sanitaer']);
      expect(access.tenantsOf('lena')).toEqual(['maler', 'tischlerei', 'sanitaer']);
    });

    it('serves a tenant added to the directory later without an edit of her entry; others do not', async () => {
      const changes: string[] = [];
      access.watch((what) => changes.push(what), 50);
      writeDirectory(layout.directory, {
        ...DIRECTORY,
        tenants: [...DIRECTORY.tenants, { id: 'dach', name: 'Dach', numbers: [] }],
      });
      await expect.poll(() => changes).toContain('directory');
      const lena = access.directory.users.find((u) => u.id === 'lena')!;
      expect(access.mayServe(lena, 'dach')).toBe(true);
      expect(access.tenantsOf('lena')).toEqual(['maler', 'tischlerei', 'sanitaer', 'dach']);
      expect(access.tenantsOf('anna')).toEqual(['sanitaer', 'tischlerei']);
      expect(access.tenantsOf('zoe')).toEqual([]);
    });
  });

  it('follows a directory change: a tenant taken away is no longer served, a revocation refused', async () => {
    const changes: string[] = [];
    access.watch((what) => changes.push(what), 50);
    writeDirectory(layout.directory, {
      ...DIRECTORY,
      users: DIRECTORY.users.map((u) =>
        u.id === 'anna' ? { ...u, tenants: ['tischlerei'], certificates: [cert('0A1B', '2026-04-01T00:00:00Z')] } : u,
      ),
    });
    await expect.poll(() => changes).toContain('directory');
    const anna = access.directory.users.find((u) => u.id === 'anna')!;
    expect(access.mayServe(anna, 'sanitaer')).toBe(false);
    expect(access.tenantsOf('anna')).toEqual(['tischlerei']);
    expect(refusal(() => access.identify(peer('anna', '0A1B')))).toEqual({ status: 403, code: 'certificate_revoked' });
  });
});

describe('normaliseSerial', () => {
  it('compares serials as bare lowercase hex without leading zeros', () => {
    expect(normaliseSerial('00:0A:1B')).toBe('a1b');
    expect(normaliseSerial('0a1b')).toBe('a1b');
    expect(normaliseSerial('000')).toBe('0');
    expect(normaliseSerial('')).toBe('');
  });
});
