import { describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../protocol/billing-contract.js';
import { contractFieldFault, contractFromFields, contractOn, contractRecordId } from '../../../protocol/firm-contract.js';

const base: BillingContract = {
  model: 'per_call',
  perCallCents: 150,
  takt: { firstSeconds: 60, nextSeconds: 60 },
  countHold: true,
  countAfterCallWork: false,
  freeBelowSeconds: 0,
  vatBasisPoints: 1900,
  validFrom: '2026-11-01',
};

describe('firm_contract records', () => {
  it('derives one id per tenant and valid-from day', () => {
    expect(contractRecordId('mueller', '2026-11-01')).toBe(contractRecordId('mueller', '2026-11-01'));
    expect(contractRecordId('mueller', '2026-11-01')).not.toBe(contractRecordId('mueller', '2026-11-16'));
    expect(contractRecordId('mueller', '2026-11-01')).not.toBe(contractRecordId('schmidt', '2026-11-01'));
  });

  it('accepts only a contract as terms and a day as valid_from', () => {
    expect(contractFieldFault('terms', JSON.stringify(base))).toBeUndefined();
    expect(contractFieldFault('terms', null)).toBeUndefined();
    expect(contractFieldFault('terms', '{')).toBe('terms is not valid JSON');
    expect(contractFieldFault('terms', JSON.stringify({ ...base, perCallCents: -1 }))).toMatch(/^terms\.perCallCents/);
    expect(contractFieldFault('valid_from', '2026-11-01')).toBeUndefined();
    expect(contractFieldFault('valid_from', '1.11.2026')).toBe('valid_from must be YYYY-MM-DD');
  });

  it('picks the version valid on a day; before the first there is none', () => {
    const v1 = contractFromFields('mueller', { terms: JSON.stringify(base), _deleted: false })!;
    const v2 = contractFromFields('mueller', { terms: JSON.stringify({ ...base, validFrom: '2026-11-16', perCallCents: 99 }) })!;
    expect(contractFromFields('mueller', { terms: JSON.stringify(base), _deleted: true })).toBeUndefined();
    expect(contractOn([v2, v1], '2026-10-31')).toBeUndefined();
    expect(contractOn([v2, v1], '2026-11-15')).toBe(v1);
    expect(contractOn([v2, v1], '2026-11-16')).toBe(v2);
  });
});
