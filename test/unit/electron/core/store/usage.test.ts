import { describe, expect, it } from 'vitest';
import { formatVersion, type PulledChange } from '../../../../../protocol/index.js';
import { readFirmUsage } from '../../../../../electron/core/store/usage.js';
import { openStore } from '../../../../helpers/unit-store.js';

// The firm_usage records the server pulls to a lead or craftsman, as the app's billing.usage reads them.
const ID = '6b1d0c52-0f3a-5e4b-9c77-2a8d9e1f4a10';
let counter = 0;
const pulled = (tenant: string, id: string, field: string, value: PulledChange['value']): PulledChange => ({
  table: 'firm_usage',
  id,
  tenant,
  field,
  value,
  version: formatVersion(Date.now(), counter++, 'aaaaaaaaaaaaaaaa'),
  author: 'server',
});

describe('readFirmUsage', () => {
  it('reads each firm’s figures as numbers and leaves out a record missing one', () => {
    const { store } = openStore();
    store.sync.applyPulled(
      [
        pulled('mueller', ID, 'period', '2026-11'),
        pulled('mueller', ID, 'used_seconds', '480'),
        pulled('mueller', ID, 'included_seconds', '600'),
        pulled('mueller', ID, 'percent', '80'),
        pulled('mueller', ID, 'alert_craftsman', true),
        pulled('schmidt', '6b1d0c52-0f3a-5e4b-9c77-2a8d9e1f4a11', 'period', '2026-11'),
      ],
      '9',
    );
    expect(readFirmUsage(store.db)).toEqual([
      { tenant: 'mueller', period: '2026-11', usedSeconds: 480, includedSeconds: 600, percent: 80, alertCraftsman: true },
    ]);
  });
});
