import { describe, expect, it } from 'vitest';
import { draftOf, emptyItemDraft, itemFromDraft } from '../../../../../renderer/src/lib/billing-item-form.js';

describe("the lead's item form", () => {
  const draft = { ...emptyItemDraft('2026-11-26'), description: 'Briefversand', quantity: '3', unitPrice: '0,95' };

  it('reads German prices and whole quantities', () => {
    expect(itemFromDraft('mueller', draft)).toEqual({
      ok: true,
      item: { tenant: 'mueller', date: '2026-11-26', description: 'Briefversand', quantity: 3, unitCents: 95 },
    });
    expect(itemFromDraft('mueller', { ...draft, unitPrice: '12' })).toMatchObject({ ok: true, item: { unitCents: 1200 } });
    expect(itemFromDraft('mueller', { ...draft, unitPrice: '3.5 €' })).toMatchObject({ ok: true, item: { unitCents: 350 } });
  });

  it('names the first field at fault', () => {
    expect(itemFromDraft('mueller', { ...draft, date: '' })).toEqual({ ok: false, field: 'date' });
    expect(itemFromDraft('mueller', { ...draft, description: ' ' })).toEqual({ ok: false, field: 'description' });
    expect(itemFromDraft('mueller', { ...draft, quantity: '0' })).toEqual({ ok: false, field: 'quantity' });
    expect(itemFromDraft('mueller', { ...draft, quantity: '1,5' })).toEqual({ ok: false, field: 'quantity' });
    expect(itemFromDraft('mueller', { ...draft, unitPrice: '0,9x' })).toEqual({ ok: false, field: 'unitPrice' });
    expect(itemFromDraft('mueller', { ...draft, unitPrice: '10000,01' })).toEqual({ ok: false, field: 'unitPrice' });
  });

  it('turns a saved item back into a draft that saves the same item', () => {
    const item = {
      id: '00000000-0000-4000-8000-000000000000',
      tenant: 'mueller',
      date: '2026-11-26',
      description: 'X',
      quantity: 2,
      unitCents: 1995,
    };
    expect(draftOf(item).unitPrice).toBe('19,95');
    expect(itemFromDraft('mueller', draftOf(item))).toEqual({ ok: true, item });
  });
});
