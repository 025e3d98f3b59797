import { randomUUID } from 'node:crypto';
import { BillingItem, type BillingItemSave } from '../../../protocol/billing-items.js';
import { HostError } from '../../../protocol/index.js';
import type { Db } from './open.js';
import type { RecordWriter } from './writer.js';

interface ItemRow {
  id: string;
  tenant_id: string;
  date: string | null;
  description: string | null;
  quantity: string | null;
  unit_cents: string | null;
}

/**
 * The lead's per-piece items (synced `billing_item` records, protocol/billing-items.ts). Whole
 * numbers travel as decimal text, as the server's report reads them; a record another version of
 * the app left incomplete is not listed (and not billed: the report skips it too).
 */
export function listBillingItems(db: Db, tenant: string | undefined): BillingItem[] {
  const rows = db
    .prepare(
      `SELECT id, tenant_id, date, description, quantity, unit_cents FROM billing_item
        WHERE _deleted = 0 AND (? IS NULL OR tenant_id = ?) ORDER BY tenant_id, date, id`,
    )
    .all(tenant ?? null, tenant ?? null) as ItemRow[];
  return rows.flatMap((row) => {
    const parsed = BillingItem.safeParse({
      id: row.id,
      tenant: row.tenant_id,
      date: row.date,
      description: row.description,
      quantity: row.quantity === null ? NaN : Number(row.quantity),
      unitCents: row.unit_cents === null ? NaN : Number(row.unit_cents),
    });
    return parsed.success ? [parsed.data] : [];
  });
}

function tenantOf(db: Db, id: string): string | undefined {
  const row = db.prepare('SELECT tenant_id FROM billing_item WHERE id = ? AND _deleted = 0').get(id) as
    { tenant_id: string } | undefined;
  return row?.tenant_id;
}

/** Adds an item, or replaces one's fields; an item stays with its firm (a different firm is a new item). */
export function saveBillingItem(writer: RecordWriter, db: Db, input: BillingItemSave): BillingItem {
  const id = input.id ?? randomUUID();
  if (input.id !== undefined) {
    const tenant = tenantOf(db, input.id);
    if (tenant === undefined) throw new HostError('not_found', `billing item ${input.id} does not exist`);
    if (tenant !== input.tenant) throw new HostError('validation', `billing item ${input.id} belongs to ${tenant}`, 'tenant');
  }
  writer.writeLocal('billing_item', id, input.tenant, {
    date: input.date,
    description: input.description,
    quantity: String(input.quantity),
    unit_cents: String(input.unitCents),
    _deleted: false,
  });
  return {
    id,
    tenant: input.tenant,
    date: input.date,
    description: input.description,
    quantity: input.quantity,
    unitCents: input.unitCents,
  };
}

export function deleteBillingItem(writer: RecordWriter, db: Db, id: string): void {
  const tenant = tenantOf(db, id);
  if (tenant === undefined) throw new HostError('not_found', `billing item ${id} does not exist`);
  writer.writeLocal('billing_item', id, tenant, { _deleted: true });
}
