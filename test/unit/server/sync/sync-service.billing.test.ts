import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../../protocol/billing-contract.js';
import { HybridLogicalClock, contractRecordId } from '../../../../protocol/index.js';
import { AccessControl } from '../../../../server/auth/access.js';
import { migrate } from '../../../../server/db/migrations.js';
import { PgliteDatabase } from '../../../../server/db/pglite-database.js';
import { writeDirectory, type Directory } from '../../../../server/home/directory.js';
import { homeLayout } from '../../../../server/home/layout.js';
import type { SyncHttpError } from '../../../../server/sync/errors.js';
import { SyncService } from '../../../../server/sync/sync-service.js';
import { publishUsage } from '../../../../server/metering/budget-usage.js';
import { flatPulled, pushBody, type LooseChange } from '../../../helpers/sync-wire.js';

// Who sees and writes a firm's billing through the sync API: the lead every firm's, the craftsman
// his own firm's (read only), a teleworker none — enforced by the server, whatever a client sends.
const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'tischlerei', name: 'Tischlerei', numbers: [] },
    { id: 'sanitaer', name: 'Sanitär', numbers: [] },
  ],
  users: [
    { id: 'anna', name: 'Anna', role: 'teleworker', tenants: ['tischlerei', 'sanitaer'], certificates: [] },
    { id: 'carl', name: 'Carl', role: 'craftsman', tenants: ['tischlerei'], certificates: [] },
    { id: 'lena', name: 'Lena', role: 'lead', tenants: [], certificates: [] },
  ],
};
const CONTRACT: BillingContract = {
  model: 'per_call',
  perCallCents: 150,
  takt: { firstSeconds: 60, nextSeconds: 60 },
  countHold: true,
  countAfterCallWork: false,
  freeBelowSeconds: 0,
  vatBasisPoints: 1900,
  validFrom: '2026-11-01',
};

describe('billing data through the sync API', () => {
  let dir: string;
  let db: PgliteDatabase;
  let sync: SyncService;
  let access: AccessControl;
  const clock = new HybridLogicalClock('abababababababab');
  const as = (cn: string) => access.identify({ subject: { CN: cn }, serialNumber: '01' } as unknown as PeerCertificate);
  const contract = (
    tenant: string,
    terms: unknown = { ...CONTRACT },
    id = contractRecordId(tenant, CONTRACT.validFrom),
  ): LooseChange[] => [
    { table: 'firm_contract', id, tenant, field: 'valid_from', value: CONTRACT.validFrom, version: clock.tick() },
    { table: 'firm_contract', id, tenant, field: 'terms', value: JSON.stringify(terms), version: clock.tick() },
  ];
  const refusal = (cn: string, changes: LooseChange[]) =>
    sync.push(as(cn), pushBody(changes)).then(
      () => undefined,
      (error: SyncHttpError) => ({ status: error.status, code: error.code }),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vermittlung-sync-billing-'));
    const layout = homeLayout(dir);
    writeDirectory(layout.directory, DIRECTORY);
    db = await PgliteDatabase.open(join(dir, 'db'));
    await migrate(db);
    access = new AccessControl(layout, () => undefined);
    sync = new SyncService(db, access);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes contracts from the lead only, and only valid ones under their version’s id', async () => {
    await sync.push(as('lena'), pushBody([...contract('tischlerei'), ...contract('sanitaer')]));
    expect(await refusal('carl', contract('tischlerei'))).toEqual({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('anna', contract('sanitaer'))).toEqual({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('lena', contract('tischlerei', { ...CONTRACT, takt: { firstSeconds: 0, nextSeconds: 60 } }))).toEqual({
      status: 400,
      code: 'invalid_contract',
    });
    expect(await refusal('lena', contract('tischlerei', CONTRACT, randomUUID()))).toEqual({
      status: 400,
      code: 'invalid_contract',
    });
  });

  it('lets only the lead confirm "nicht berechnen"; the teleworker sets the flag', async () => {
    const id = randomUUID();
    const field = (f: string, value: string): LooseChange => ({
      table: 'call',
      id,
      tenant: 'tischlerei',
      field: f,
      value,
      version: clock.tick(),
    });
    await sync.push(as('anna'), pushBody([field('pbx_call_id', 'x@pbx'), field('no_bill_reason', 'Spam')]));
    expect(await refusal('anna', [field('no_bill_confirmed_by', 'anna')])).toEqual({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('carl', [field('no_bill_confirmed_by', 'carl')])).toEqual({ status: 403, code: 'schedule_read_only' });
    await sync.push(as('lena'), pushBody([field('no_bill_confirmed_by', 'lena')]));
  });

  it('pulls contracts to the lead for every firm, to the craftsman for his own, to a teleworker none', async () => {
    const contractsOf = async (cn: string) =>
      [
        ...new Set(
          flatPulled(await sync.pull(as(cn), {}))
            .filter((c) => c.table === 'firm_contract')
            .map((c) => c.tenant),
        ),
      ].sort();
    expect(await contractsOf('lena')).toEqual(['sanitaer', 'tischlerei']);
    expect(await contractsOf('carl')).toEqual(['tischlerei']);
    expect(await contractsOf('anna')).toEqual([]);
    // The budget consumption the server computes from the CDRs: the same readers, and no client writes it.
    await publishUsage(db, '3434343434343434', 'tischlerei', {
      period: '2026-11',
      usedSeconds: 480,
      includedSeconds: 600,
      percent: 80,
      alertCraftsman: false,
    });
    const usageOf = async (cn: string) => [
      ...new Set(
        flatPulled(await sync.pull(as(cn), {}))
          .filter((c) => c.table === 'firm_usage')
          .map((c) => c.tenant),
      ),
    ];
    expect(await usageOf('lena')).toEqual(['tischlerei']);
    expect(await usageOf('carl')).toEqual(['tischlerei']);
    expect(await usageOf('anna')).toEqual([]);
    const forged: LooseChange = {
      table: 'firm_usage',
      id: randomUUID(),
      tenant: 'tischlerei',
      field: 'percent',
      value: '0',
      version: clock.tick(),
    };
    expect(await refusal('lena', [forged])).toEqual({ status: 403, code: 'server_owned' });
    // The teleworker still pulls the firm's calls she answers for.
    expect(flatPulled(await sync.pull(as('anna'), {})).some((c) => c.table === 'call')).toBe(true);
  });
});
