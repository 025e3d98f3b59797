import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BillingSource } from '../../protocol/billing-lines.js';
import { ReportMonth } from '../../protocol/billing-report.js';
import { TenantId } from '../../protocol/sync.js';
import { DbBillingSource } from '../metering/billing-source.js';
import { readLetterhead } from '../billing/letterhead.js';
import { ReportService } from '../billing/report-service.js';
import type { Database } from '../db/database.js';
import { readDirectory } from '../home/directory.js';
import { homeLayout } from '../home/layout.js';
import { AdminFailure } from '../pki/office-ca.js';
import { openAdminDatabase } from './admin-database.js';

/**
 * `report TENANT --month YYYY-MM --out FILE --home DIR [--database postgres://…]`: the firm's monthly
 * report as the app downloads it — PDF, or CSV when FILE ends in .csv. A closed month is frozen by
 * the first report of it, here as in the app (docs/billing.md). On PGlite the server must be stopped.
 */

type UsageErrorFactory = (message: string) => Error;

export interface ReportCommandOptions {
  /** Where the report reads its lines; default the server's (see server.ts). */
  billingSource?: (db: Database) => BillingSource;
  now?: () => number;
}

export async function runReport(argv: string[], usage: UsageErrorFactory, options: ReportCommandOptions = {}): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { home: { type: 'string' }, database: { type: 'string' }, month: { type: 'string' }, out: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.positionals.length !== 1) throw usage('expected exactly one TENANT');
  const tenant = TenantId.safeParse(parsed.positionals[0]);
  if (!tenant.success) throw usage(`tenant ID "${parsed.positionals[0]}" is not valid`);
  const { values } = parsed;
  if (!values.home) throw usage('--home is required');
  const month = ReportMonth.safeParse(values.month);
  if (!month.success) throw usage(`--month must be a month like 2026-11, got "${values.month ?? ''}"`);
  if (!values.out) throw usage('--out FILE is required (.pdf or .csv)');
  const extension = extname(values.out).toLowerCase();
  if (extension !== '.pdf' && extension !== '.csv') throw usage(`--out must end in .pdf or .csv, got "${values.out}"`);
  const database = values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw usage('--database must be a postgres:// URL');

  const home = resolve(values.home);
  const layout = homeLayout(home);
  const directory = readDirectory(layout.directory);
  const firm = directory.tenants.find((t) => t.id === tenant.data);
  if (!firm) throw new AdminFailure(`unknown tenant "${tenant.data}"`);
  const db = await openAdminDatabase(home, database, true);
  try {
    const reports = new ReportService({
      db,
      source: options.billingSource ? options.billingSource(db) : new DbBillingSource(db, () => directory),
      tenantName: (id) => (id === firm.id ? firm.name : undefined),
      letterhead: () => readLetterhead(home),
      ...(options.now ? { now: options.now } : {}),
    });
    const file = await reports.file(firm.id, month.data, extension === '.csv' ? 'csv' : 'pdf');
    const out = resolve(values.out);
    writeFileSync(out, file.body);
    return `${file.frozen ? 'frozen' : 'provisional (the month is still open)'} report of ${firm.id} for ${month.data} written to ${out} (${file.body.length} bytes)`;
  } finally {
    await db.close();
  }
}
