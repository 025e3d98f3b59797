import { BillingItemFields, MAX_ITEM_QUANTITY, MAX_ITEM_UNIT_CENTS, type BillingItem } from '../../../protocol/billing-items.js';
import { euroCents } from './contract-form.js';

/** The lead's item form as typed: every field text, the price in euros with a decimal comma. */
export interface ItemDraft {
  id?: string;
  date: string;
  description: string;
  quantity: string;
  unitPrice: string;
}

/** Which field is not right, named as the message file names its German explanation. */
export type ItemFault = 'date' | 'description' | 'quantity' | 'unitPrice';

export function emptyItemDraft(today: string): ItemDraft {
  return { date: today, description: '', quantity: '1', unitPrice: '' };
}

export function draftOf(item: BillingItem): ItemDraft {
  return {
    id: item.id,
    date: item.date,
    description: item.description,
    quantity: String(item.quantity),
    unitPrice: (item.unitCents / 100).toFixed(2).replace('.', ','),
  };
}

/** The item the draft describes for `tenant`, or the first field at fault (the host validates again). */
export function itemFromDraft(
  tenant: string,
  d: ItemDraft,
): { ok: true; item: BillingItemFields & { id?: string } } | { ok: false; field: ItemFault } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date)) return { ok: false, field: 'date' };
  if (d.description.trim() === '') return { ok: false, field: 'description' };
  const quantity = /^\s*\d{1,5}\s*$/.test(d.quantity) ? Number(d.quantity) : NaN;
  if (!(quantity >= 1 && quantity <= MAX_ITEM_QUANTITY)) return { ok: false, field: 'quantity' };
  const unitCents = euroCents(d.unitPrice);
  if (unitCents === undefined || unitCents > MAX_ITEM_UNIT_CENTS) return { ok: false, field: 'unitPrice' };
  const parsed = BillingItemFields.safeParse({ tenant, date: d.date, description: d.description, quantity, unitCents });
  if (!parsed.success) {
    const path = String(parsed.error.issues[0]?.path[0] ?? 'description');
    return { ok: false, field: path === 'unitCents' ? 'unitPrice' : (path as ItemFault) };
  }
  return { ok: true, item: d.id ? { ...parsed.data, id: d.id } : parsed.data };
}
