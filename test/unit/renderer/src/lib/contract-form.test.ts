import { describe, expect, it } from 'vitest';
import { contractFromDraft, emptyDraft } from '../../../../../renderer/src/lib/contract-form.js';

describe('the lead’s contract form', () => {
  it('turns German amounts, percentages and a Takt into a contract', () => {
    const result = contractFromDraft({
      ...emptyDraft('2026-11-16'),
      includedMinutes: '600',
      fee: '99',
      extraMinute: '1,50',
      takt: '60/10',
      countAfterCallWork: true,
      afterCallWorkCap: '30',
      freeBelow: '5',
      vat: '7',
      appointment: '2,50',
      alertCraftsman: true,
    });
    expect(result).toEqual({
      ok: true,
      contract: {
        model: 'budget',
        validFrom: '2026-11-16',
        takt: { firstSeconds: 60, nextSeconds: 10 },
        period: 'month',
        includedMinutes: 600,
        feeCents: 9900,
        extraMinuteCents: 150,
        countHold: true,
        countAfterCallWork: true,
        afterCallWorkCapSeconds: 30,
        freeBelowSeconds: 5,
        vatBasisPoints: 700,
        outgoingCalls: false,
        appointmentCents: 250,
        alertCraftsman: true,
      },
    });
  });

  it('names the first field that is not right', () => {
    expect(contractFromDraft({ ...emptyDraft('2026-11-16'), model: 'per_minute', perMinute: '1.2.3' })).toEqual({
      ok: false,
      field: 'perMinuteCents',
    });
    expect(contractFromDraft({ ...emptyDraft('2026-11-16'), model: 'per_call', perCall: '1,50', takt: '0/60' })).toEqual({
      ok: false,
      field: 'takt',
    });
    expect(contractFromDraft({ ...emptyDraft('2026-11-16'), model: 'per_call', perCall: '1,50', appointment: 'zwei' })).toEqual({
      ok: false,
      field: 'appointmentCents',
    });
  });
});
