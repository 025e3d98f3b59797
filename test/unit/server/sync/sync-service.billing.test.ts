import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../../protocol/billing-contract.js';
import { HybridLogicalClock, contractRecordId } from '../../../../protocol/index.js';
import { publishUsage } from '../../../../server/metering/budget-usage.js';
import { openSyncServiceRig, type SyncServiceRig } from '../../../helpers/sync-service-rig.js';
import { flatPulled, pushBody, type LooseChange } from '../../../helpers/sync-wire.js';

// Who sees and writes a firm's billing through the sync API: the lead every firm's, the craftsman
// his own firm's (read only), a teleworker none — enforced by the server, whatever a client sends.
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
  let rig: SyncServiceRig;
  const clock = new HybridLogicalClock('abababababababab');
  const as = (cn: string) => rig.as(cn);
  const contract = (
    tenant: string,
    terms: unknown = { ...CONTRACT },
    id = contractRecordId(tenant, CONTRACT.validFrom),
  ): LooseChange[] => [
    { table: 'firm_contract', id, tenant, field: 'valid_from', value: CONTRACT.validFrom, version: clock.tick() },
    { table: 'firm_contract', id, tenant, field: 'terms', value: JSON.stringify(terms), version: clock.tick() },
  ];
  const refusal = (cn: string, changes: LooseChange[]) => rig.push(cn, changes);

  beforeAll(async () => {
    rig = await openSyncServiceRig('sync-billing');
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('takes contracts from the lead only, and only valid ones under their version’s id', async () => {
    await rig.sync.push(as('lena'), pushBody([...contract('tischlerei'), ...contract('sanitaer')]));
    expect(await refusal('carl', contract('tischlerei'))).toMatchObject({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('anna', contract('sanitaer'))).toMatchObject({ status: 403, code: 'schedule_read_only' });
    expect(
      await refusal('lena', contract('tischlerei', { ...CONTRACT, takt: { firstSeconds: 0, nextSeconds: 60 } })),
    ).toMatchObject({
      status: 400,
      code: 'invalid_contract',
    });
    expect(await refusal('lena', contract('tischlerei', CONTRACT, randomUUID()))).toMatchObject({
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
    await rig.sync.push(as('anna'), pushBody([field('pbx_call_id', 'x@pbx'), field('no_bill_reason', 'Spam')]));
    expect(await refusal('anna', [field('no_bill_confirmed_by', 'anna')])).toMatchObject({
      status: 403,
      code: 'schedule_read_only',
    });
    expect(await refusal('carl', [field('no_bill_confirmed_by', 'carl')])).toMatchObject({
      status: 403,
      code: 'schedule_read_only',
    });
    await rig.sync.push(as('lena'), pushBody([field('no_bill_confirmed_by', 'lena')]));
  });

  it('pulls contracts to the lead for every firm, to the craftsman for his own, to a teleworker none', async () => {
    const contractsOf = async (cn: string) =>
      [
        ...new Set(
          flatPulled(await rig.sync.pull(as(cn), {}))
            .filter((c) => c.table === 'firm_contract')
            .map((c) => c.tenant),
        ),
      ].sort();
    expect(await contractsOf('lena')).toEqual(['sanitaer', 'tischlerei']);
    expect(await contractsOf('carl')).toEqual(['tischlerei']);
    expect(await contractsOf('anna')).toEqual([]);
    // The budget consumption the server computes from the CDRs: the same readers, and no client writes it.
    await publishUsage(rig.db, '3434343434343434', 'tischlerei', {
      period: '2026-11',
      usedSeconds: 480,
      includedSeconds: 600,
      percent: 80,
      alertCraftsman: false,
    });
    const usageOf = async (cn: string) => [
      ...new Set(
        flatPulled(await rig.sync.pull(as(cn), {}))
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
    expect(await refusal('lena', [forged])).toMatchObject({ status: 403, code: 'server_owned' });
    // The teleworker still pulls the firm's calls she answers for.
    expect(flatPulled(await rig.sync.pull(as('anna'), {})).some((c) => c.table === 'call')).toBe(true);
  });
});
