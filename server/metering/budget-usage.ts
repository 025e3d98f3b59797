import { v5 as uuidv5 } from 'uuid';
import type { BudgetContract } from '../../protocol/billing-contract.js';
import type { BillingSource } from '../../protocol/billing-lines.js';
import { periodTotal } from '../../protocol/billing-units.js';
import { HybridLogicalClock, contractOn, type FieldValue } from '../../protocol/index.js';
import type { Database } from '../db/database.js';
import { SERVER_AUTHOR } from '../sync/directory-publisher.js';
import { WRITE_LOCK, currentCursor, notifyCommit, writeFields, type FieldWrite } from '../sync/field-writes.js';
import { berlinDate } from './billing-source.js';

/** uuidv5(tenant, this) is the id of a tenant's firm_usage record. */
export const FIRM_USAGE_RECORD_NAMESPACE = '4d1f6b3a-2c8e-5a97-b0d4-6e3c9f1a7b25';

export interface Usage {
  period: string;
  usedSeconds: number;
  includedSeconds: number;
  percent: number;
  alertCraftsman: boolean;
}

/** The instant Europe/Berlin's day `date` (YYYY-MM-DD) begins. */
export function berlinMidnight(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  const offset = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(at));
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - at;
  };
  return new Date(guess - offset(guess - offset(guess)));
}

/** The budget period `now` lies in: the Berlin month, or the week from Monday. */
export function budgetPeriod(contract: BudgetContract, now: Date): { key: string; from: string; to: string } {
  const today = berlinDate(now.toISOString());
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  if (contract.period === 'month') {
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    return { key: today.slice(0, 7), from: `${today.slice(0, 8)}01`, to: next };
  }
  const day = new Date(Date.UTC(y, m - 1, d));
  const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
  const iso = (t: Date) => t.toISOString().slice(0, 10);
  return { key: iso(monday), from: iso(monday), to: iso(new Date(monday.getTime() + 7 * 86_400_000)) };
}

/**
 * A budget firm's consumption of the current period under the contract valid today, from the same
 * lines the report reads: calls a lead confirmed as "nicht berechnen" do not count, calls on the firm's
 * behalf only if the contract bills them. Undefined for a firm without a budget contract today.
 */
export async function currentUsage(source: BillingSource, tenant: string, now = new Date()): Promise<Usage | undefined> {
  const contract = contractOn(await source.contracts(tenant), berlinDate(now.toISOString()))?.contract;
  if (contract?.model !== 'budget') return undefined;
  const period = budgetPeriod(contract, now);
  const lines = await source.callLines(
    tenant,
    berlinMidnight(period.from).toISOString(),
    berlinMidnight(period.to).toISOString(),
  );
  const counted = lines.filter((l) => l.noBill?.confirmedBy == null && (l.direction === 'in' || contract.outgoingCalls === true));
  const total = periodTotal(contract, counted);
  const budget = total.budget!;
  return {
    period: period.key,
    usedSeconds: budget.usedSeconds,
    includedSeconds: budget.includedSeconds,
    percent: budget.percent,
    alertCraftsman: contract.alertCraftsman === true,
  };
}

/** Writes a tenant's firm_usage record where a field changed; the apps learn of it by the ordinary pull. */
export async function publishUsage(db: Database, nodeId: string, tenant: string, usage: Usage): Promise<number> {
  const id = uuidv5(tenant, FIRM_USAGE_RECORD_NAMESPACE);
  const wanted: Record<string, FieldValue> = {
    period: usage.period,
    used_seconds: String(usage.usedSeconds),
    included_seconds: String(usage.includedSeconds),
    percent: String(usage.percent),
    alert_craftsman: usage.alertCraftsman,
    _deleted: false,
  };
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    const { rows } = await tx.query<{ field: string; value: FieldValue | null; version: string }>(
      `SELECT field, value, version FROM field_state WHERE tbl = 'firm_usage' AND id = $1::uuid`,
      [id],
    );
    const clock = new HybridLogicalClock(nodeId);
    for (const r of rows) clock.receive(r.version);
    const stored = new Map(rows.map((r) => [r.field, r.value ?? null]));
    const writes: FieldWrite[] = Object.entries(wanted)
      .filter(([field, value]) => stored.get(field) !== value)
      .map(([field, value]) => ({ table: 'firm_usage', id, tenant, field, value, version: clock.tick() }));
    if (writes.length === 0) return 0;
    await writeFields(tx, writes, SERVER_AUTHOR);
    await notifyCommit(tx, [tenant], await currentCursor(tx));
    return writes.length;
  });
}
