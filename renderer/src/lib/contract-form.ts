import { BillingContract } from '../../../protocol/billing-contract.js';

/** The lead's contract form as typed: amounts as "1,50", percentages as "19", seconds as whole numbers. */
export interface ContractDraft {
  validFrom: string;
  model: 'budget' | 'per_call' | 'per_minute';
  takt: string;
  period: 'month' | 'week';
  includedMinutes: string;
  fee: string;
  extraMinute: string;
  perCall: string;
  perMinute: string;
  countHold: boolean;
  countAfterCallWork: boolean;
  afterCallWorkCap: string;
  freeBelow: string;
  vat: string;
  outgoingCalls: boolean;
  appointment: string;
  alertCraftsman: boolean;
}

export function emptyDraft(today: string): ContractDraft {
  return {
    validFrom: today,
    model: 'budget',
    takt: '60/60',
    period: 'month',
    includedMinutes: '',
    fee: '',
    extraMinute: '',
    perCall: '',
    perMinute: '',
    countHold: true,
    countAfterCallWork: false,
    afterCallWorkCap: '',
    freeBelow: '0',
    vat: '19',
    outgoingCalls: false,
    appointment: '',
    alertCraftsman: false,
  };
}

/** A euro amount as typed in Germany ("0,95", "12", "3.50 €") in whole cents, or undefined. */
export const euroCents = (text: string): number | undefined => {
  const m = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*€?\s*$/.exec(text);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : undefined;
};
const euro = euroCents;
const whole = (text: string): number | undefined => (/^\s*\d{1,6}\s*$/.test(text) ? Number(text) : undefined);

/** The contract the draft describes, or the name of the first field that is not right. */
export function contractFromDraft(d: ContractDraft): { ok: true; contract: BillingContract } | { ok: false; field: string } {
  const takt = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(d.takt);
  const vat = /^\s*(\d{1,2})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(d.vat);
  const candidate: Record<string, unknown> = {
    model: d.model,
    validFrom: d.validFrom,
    takt: takt ? { firstSeconds: Number(takt[1]), nextSeconds: Number(takt[2]) } : undefined,
    countHold: d.countHold,
    countAfterCallWork: d.countAfterCallWork,
    afterCallWorkCapSeconds: d.afterCallWorkCap.trim() === '' ? undefined : (whole(d.afterCallWorkCap) ?? -1),
    freeBelowSeconds: whole(d.freeBelow),
    vatBasisPoints: vat ? Number(vat[1]) * 100 + Number((vat[2] ?? '0').padEnd(2, '0')) : undefined,
    outgoingCalls: d.outgoingCalls,
    appointmentCents: d.appointment.trim() === '' ? undefined : (euro(d.appointment) ?? -1),
    alertCraftsman: d.alertCraftsman,
  };
  if (d.model === 'budget')
    Object.assign(candidate, {
      period: d.period,
      includedMinutes: whole(d.includedMinutes),
      feeCents: euro(d.fee),
      extraMinuteCents: euro(d.extraMinute),
    });
  if (d.model === 'per_call') candidate.perCallCents = euro(d.perCall);
  if (d.model === 'per_minute') candidate.perMinuteCents = euro(d.perMinute);
  const parsed = BillingContract.safeParse(JSON.parse(JSON.stringify(candidate)));
  if (parsed.success) return { ok: true, contract: parsed.data };
  return { ok: false, field: String(parsed.error.issues[0]?.path[0] ?? 'model') };
}
