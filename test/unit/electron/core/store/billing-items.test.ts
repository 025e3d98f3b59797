import { describe, expect, it } from 'vitest';
import { BillingItemSave } from '../../../../../protocol/billing-items.js';
import { HostError } from '../../../../../protocol/index.js';
import { deleteBillingItem, listBillingItems, saveBillingItem } from '../../../../../electron/core/store/billing-items.js';
import { openStore } from '../../../../helpers/unit-store.js';

const letters = { tenant: 'mueller', date: '2026-11-26', description: 'Briefversand', quantity: 3, unitCents: 95 };

describe('billing items in the local store', () => {
  it('adds, edits and deletes an item, each as a change to push with whole numbers as decimal text', () => {
    const { store } = openStore();
    const item = store.write(() => saveBillingItem(store.writer, store.db, letters));
    store.write(() => saveBillingItem(store.writer, store.db, { ...letters, tenant: 'schmidt', date: '2026-11-02' }));
    expect(listBillingItems(store.db, 'mueller')).toEqual([{ ...letters, id: item.id }]);
    expect(listBillingItems(store.db, undefined).map((i) => i.tenant)).toEqual(['mueller', 'schmidt']);

    store.write(() => saveBillingItem(store.writer, store.db, { ...letters, id: item.id, quantity: 4 }));
    expect(listBillingItems(store.db, 'mueller')[0]?.quantity).toBe(4);
    const pushed = store.sync
      .pendingChanges(100)
      .map((p) => p.change)
      .filter((c) => c.table === 'billing_item' && c.id === item.id);
    expect(pushed.filter((c) => c.field === 'quantity').at(-1)?.value).toBe('4');
    expect(pushed.find((c) => c.field === 'unit_cents')?.value).toBe('95');

    store.write(() => deleteBillingItem(store.writer, store.db, item.id));
    expect(listBillingItems(store.db, 'mueller')).toEqual([]);
  });

  it('refuses an unknown item and moving an item to another firm, and writes nothing', () => {
    const { store } = openStore();
    const item = store.write(() => saveBillingItem(store.writer, store.db, letters));
    const before = store.sync.pendingCount();
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(() => saveBillingItem(store.writer, store.db, { ...letters, id: unknown })).toThrow(HostError);
    expect(() => deleteBillingItem(store.writer, store.db, unknown)).toThrow(/does not exist/);
    expect(() => saveBillingItem(store.writer, store.db, { ...letters, id: item.id, tenant: 'schmidt' })).toThrow(
      /belongs to mueller/,
    );
    expect(store.sync.pendingCount()).toBe(before);
  });

  it('validates the host input: a date, a description, whole pieces, whole cents', () => {
    expect(BillingItemSave.safeParse(letters).success).toBe(true);
    for (const bad of [
      { date: '26.11.2026' },
      { description: '   ' },
      { quantity: 0 },
      { quantity: 1.5 },
      { unitCents: -1 },
      { unitCents: 0.5 },
      { tenant: 'Müller' },
    ])
      expect(BillingItemSave.safeParse({ ...letters, ...bad }).success, JSON.stringify(bad)).toBe(false);
  });
});
