/**
 * A firm's contract with the office service: how its calls are metered and priced. Money is in
 * integer euro cents and rates in basis points, so no amount ever passes through a binary fraction.
 * The arithmetic that applies a contract is in billing-units.ts; docs/billing.md explains both.
 */
import { z } from 'zod';

const Seconds = z.number().int().min(0).max(86_400);
const Cents = z.number().int().min(0).max(100_000_000);

/**
 * The Takt: a call is billed in a first step and then in following steps, each begun step in full
 * (60/60 bills whole minutes, 60/10 a first minute and then every begun 10 seconds).
 */
export const Takt = z.object({
  firstSeconds: z.number().int().min(1).max(3600),
  nextSeconds: z.number().int().min(1).max(3600),
});
export type Takt = z.infer<typeof Takt>;

/** Takt forms the contract editor offers; any other pair of whole seconds is valid too. */
export const COMMON_TAKTS: readonly Takt[] = [
  { firstSeconds: 60, nextSeconds: 60 },
  { firstSeconds: 30, nextSeconds: 30 },
  { firstSeconds: 60, nextSeconds: 10 },
  { firstSeconds: 6, nextSeconds: 6 },
  { firstSeconds: 1, nextSeconds: 1 },
];

const Terms = {
  takt: Takt,
  /** Whether time on hold counts; the PBX's connected duration includes it, so false subtracts it. */
  countHold: z.boolean(),
  /** Whether after-call work (hang-up until the note is saved) is added to the call's time. */
  countAfterCallWork: z.boolean(),
  /** At most this much after-call work counts per call; absent: no cap. */
  afterCallWorkCapSeconds: Seconds.optional(),
  /** A call connected for fewer seconds than this is free (wrong numbers, hang-ups); 0: none is. */
  freeBelowSeconds: Seconds,
  /** VAT in basis points: 1900 is 19 %, 700 is 7 %, 0 for none. */
  vatBasisPoints: z.number().int().min(0).max(10_000),
  /** The first day these terms apply (YYYY-MM-DD); earlier calls keep the terms valid then. */
  validFrom: z.iso.date(),
  /** Whether calls placed with the firm's number on its behalf are metered like its customers' calls (absent: no). */
  outgoingCalls: z.boolean().optional(),
  /** The price of one appointment booked for the firm; absent: appointments are not billed. */
  appointmentCents: Cents.optional(),
  /** Other items the service bills per piece, with their unit price (the lead picks from these). */
  itemPrices: z
    .array(z.object({ name: z.string().min(1).max(80), unitCents: Cents }))
    .max(50)
    .optional(),
  /** Whether the craftsman, too, is told at 80 % and 100 % of the budget (the lead always is). */
  alertCraftsman: z.boolean().optional(),
};

/** A time budget per week or month for a fixed fee; every minute beyond it at a price. */
export const BudgetContract = z.object({
  model: z.literal('budget'),
  period: z.enum(['week', 'month']),
  includedMinutes: z.number().int().min(0).max(100_000),
  /** The fixed fee per period for the included minutes. */
  feeCents: Cents,
  extraMinuteCents: Cents,
  ...Terms,
});
export const PerCallContract = z.object({ model: z.literal('per_call'), perCallCents: Cents, ...Terms });
export const PerMinuteContract = z.object({ model: z.literal('per_minute'), perMinuteCents: Cents, ...Terms });

export const BillingContract = z.discriminatedUnion('model', [BudgetContract, PerCallContract, PerMinuteContract]);
export type BillingContract = z.infer<typeof BillingContract>;
export type BudgetContract = z.infer<typeof BudgetContract>;
export type ContractModel = BillingContract['model'];
