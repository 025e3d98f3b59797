/**
 * What the lead bills a firm per piece besides calls and appointments (a letter sent, a key kept):
 * synced `billing_item` records, written only by a lead (the server refuses anyone else), each
 * priced on the report of the month its date falls in (docs/billing.md).
 */
import { z } from 'zod';
import { RecordId, TenantId } from './sync.js';

/** The most pieces and the highest unit price one item may carry (a typo guard, not a business rule). */
export const MAX_ITEM_QUANTITY = 10_000;
export const MAX_ITEM_UNIT_CENTS = 1_000_000;

export const BillingItemFields = z.strictObject({
  tenant: TenantId,
  date: z.iso.date('must be a date YYYY-MM-DD'),
  description: z.string().trim().min(1, 'must not be empty').max(200),
  quantity: z.number().int('must be a whole number').min(1).max(MAX_ITEM_QUANTITY),
  unitCents: z.number().int('must be whole cents').min(0).max(MAX_ITEM_UNIT_CENTS),
});
export type BillingItemFields = z.infer<typeof BillingItemFields>;

export const BillingItem = BillingItemFields.extend({ id: RecordId });
export type BillingItem = z.infer<typeof BillingItem>;

/** A new item without `id`; with `id`, that item's fields replaced (its firm stays). */
export const BillingItemSave = BillingItemFields.extend({ id: RecordId.optional() });
export type BillingItemSave = z.infer<typeof BillingItemSave>;
