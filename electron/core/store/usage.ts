import type { FirmUsage } from '../../../protocol/index.js';
import type { Db } from './open.js';

interface UsageRow {
  tenant_id: string;
  period: string | null;
  used_seconds: string | null;
  included_seconds: string | null;
  percent: string | null;
  alert_craftsman: number | null;
}

/**
 * The firm_usage records the server wrote (server/metering/budget-usage.ts), one per budget firm;
 * the server sends them only to the lead and the firm's craftsman. A record missing a figure is left out.
 */
export function readFirmUsage(db: Db): FirmUsage[] {
  const rows = db
    .prepare(
      'SELECT tenant_id, period, used_seconds, included_seconds, percent, alert_craftsman FROM firm_usage WHERE _deleted = 0 ORDER BY tenant_id',
    )
    .all() as UsageRow[];
  return rows.flatMap((row) => {
    const num = (text: string | null) => (text === null || text === '' ? NaN : Number(text));
    const used = num(row.used_seconds);
    const included = num(row.included_seconds);
    const percent = num(row.percent);
    if (row.period === null || [used, included, percent].some((n) => !Number.isFinite(n))) return [];
    return [
      {
        tenant: row.tenant_id,
        period: row.period,
        usedSeconds: used,
        includedSeconds: included,
        percent,
        alertCraftsman: row.alert_craftsman === 1,
      },
    ];
  });
}
