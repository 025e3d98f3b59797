import { describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../../../protocol/billing-contract.js';
import { contractRecordId } from '../../../../../protocol/index.js';
import { listContracts, saveContract } from '../../../../../electron/core/store/contracts.js';
import { openStore } from '../../../../helpers/unit-store.js';

const perCall: BillingContract = {
  model: 'per_call',
  perCallCents: 150,
  takt: { firstSeconds: 60, nextSeconds: 60 },
  countHold: true,
  countAfterCallWork: false,
  freeBelowSeconds: 0,
  vatBasisPoints: 1900,
  validFrom: '2026-11-01',
};

describe('contracts in the local store', () => {
  it('saves a version under its derived id for the push, and lists versions oldest first per firm', () => {
    const { store } = openStore();
    store.write(() => saveContract(store.writer, 'mueller', { ...perCall, validFrom: '2026-11-16', perCallCents: 99 }));
    store.write(() => saveContract(store.writer, 'mueller', perCall));
    store.write(() => saveContract(store.writer, 'schmidt', perCall));
    expect(listContracts(store.db, 'mueller').map((v) => v.contract.validFrom)).toEqual(['2026-11-01', '2026-11-16']);
    expect(listContracts(store.db, undefined).map((v) => v.tenantId)).toEqual(['mueller', 'mueller', 'schmidt']);
    const outbox = store.sync
      .pendingChanges(100)
      .map((p) => p.change)
      .filter((c) => c.table === 'firm_contract');
    expect(new Set(outbox.map((c) => c.id))).toEqual(
      new Set([
        contractRecordId('mueller', '2026-11-01'),
        contractRecordId('mueller', '2026-11-16'),
        contractRecordId('schmidt', '2026-11-01'),
      ]),
    );
  });
});
