import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BillingContract } from '../../protocol/billing-contract.js';
import { describeContractDe } from '../../protocol/index.js';
import { TenantId } from '../../protocol/sync.js';
import { homeLayout } from '../home/layout.js';
import { readContracts, writeContract } from '../metering/contracts.js';
import { AdminFailure, OfficeCa } from '../pki/office-ca.js';
import { serverNodeId } from '../sync/directory-publisher.js';
import { openAdminDatabase } from './admin-database.js';
import { directoryStoreFor } from './admin-directory.js';

/**
 * `tenant contract TENANT --home DIR …` stores a contract version (docs/billing.md) as a server-
 * authored synced record and prints every version back; without --model it only prints them. A
 * version from the same day replaces that one; earlier versions keep applying to their months.
 */

type UsageErrorFactory = (message: string) => Error;

/** "1,50", "1.50", "99" → cents. */
export function parseCents(value: string, option: string, usage: UsageErrorFactory): number {
  const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*(€)?\s*$/.exec(value);
  if (!match) throw usage(`${option} "${value}" is not an amount like 1,50`);
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

function whole(value: string | undefined, option: string, usage: UsageErrorFactory): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) throw usage(`${option} must be a whole number, got "${value}"`);
  return Number(value);
}

/** The contract the options describe, validated like a lead's push. */
export function contractFromOptions(
  v: Record<string, string | string[] | boolean | undefined>,
  usage: UsageErrorFactory,
): BillingContract {
  const s = (name: string) => (typeof v[name] === 'string' ? v[name] : undefined);
  const takt = /^(\d{1,4})\/(\d{1,4})$/.exec(s('takt') ?? '60/60');
  if (!takt) throw usage(`--takt must be FIRST/NEXT seconds, e.g. 60/10`);
  const vat = /^(\d{1,2})(?:[.,](\d{1,2}))?$/.exec(s('vat') ?? '19');
  if (!vat) throw usage('--vat must be a percentage like 19 or 7');
  const money = (name: string) => (s(name) === undefined ? undefined : parseCents(s(name)!, `--${name}`, usage));
  const items = ((v.item as string[] | undefined) ?? []).map((spec) => {
    const at = spec.lastIndexOf('=');
    if (at <= 0) throw usage(`--item "${spec}" must be NAME=PRICE, e.g. "Briefversand=0,95"`);
    return { name: spec.slice(0, at).trim(), unitCents: parseCents(spec.slice(at + 1), '--item', usage) };
  });
  const candidate = {
    model: s('model'),
    validFrom: s('from'),
    takt: { firstSeconds: Number(takt[1]), nextSeconds: Number(takt[2]) },
    countHold: v['no-hold'] !== true,
    countAfterCallWork: v['no-acw'] !== true,
    afterCallWorkCapSeconds: whole(s('acw-cap'), '--acw-cap', usage),
    freeBelowSeconds: whole(s('free-below'), '--free-below', usage) ?? 0,
    vatBasisPoints: Number(vat[1]) * 100 + Number((vat[2] ?? '0').padEnd(2, '0')),
    outgoingCalls: v.outgoing === true,
    appointmentCents: money('appointment'),
    itemPrices: items.length > 0 ? items : undefined,
    alertCraftsman: v['alert-craftsman'] === true,
    period: s('period') ?? 'month',
    includedMinutes: whole(s('included-minutes'), '--included-minutes', usage),
    feeCents: money('fee'),
    extraMinuteCents: money('extra-minute'),
    perCallCents: money('per-call'),
    perMinuteCents: money('per-minute'),
  };
  const parsed = BillingContract.safeParse(JSON.parse(JSON.stringify(candidate)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option: Record<string, string> = {
      validFrom: '--from',
      includedMinutes: '--included-minutes',
      feeCents: '--fee',
      extraMinuteCents: '--extra-minute',
      perCallCents: '--per-call',
      perMinuteCents: '--per-minute',
      takt: '--takt',
      model: '--model',
    };
    const key = String(issue?.path[0] ?? '');
    throw usage(`${option[key] ?? key}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export async function runTenantContract(argv: string[], usage: UsageErrorFactory): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        home: { type: 'string' },
        database: { type: 'string' },
        model: { type: 'string' },
        from: { type: 'string' },
        takt: { type: 'string' },
        'included-minutes': { type: 'string' },
        period: { type: 'string' },
        fee: { type: 'string' },
        'extra-minute': { type: 'string' },
        'per-call': { type: 'string' },
        'per-minute': { type: 'string' },
        'no-hold': { type: 'boolean' },
        'no-acw': { type: 'boolean' },
        'acw-cap': { type: 'string' },
        'free-below': { type: 'string' },
        vat: { type: 'string' },
        outgoing: { type: 'boolean' },
        appointment: { type: 'string' },
        item: { type: 'string', multiple: true },
        'alert-craftsman': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.positionals.length !== 1) throw usage('expected exactly one tenant ID');
  const tenant = TenantId.safeParse(parsed.positionals[0]);
  if (!tenant.success) throw usage(`tenant ID "${parsed.positionals[0]}" is not valid`);
  const { values } = parsed;
  if (!values.home) throw usage('--home is required');
  const database = values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw usage('--database must be a postgres:// URL');
  const contract = values.model === undefined ? undefined : contractFromOptions(values, usage);

  const home = resolve(values.home);
  const ca = new OfficeCa(home);
  if (!ca.exists()) throw new AdminFailure(`no CA in ${home}: run \`ca init --home ${home}\` first`);
  // Without --database the directory is the home's file: checked before a database is opened or made.
  if (!database && !(await ca.directory()).tenants.some((t) => t.id === tenant.data))
    throw new AdminFailure(`unknown tenant "${tenant.data}"`);
  const layout = homeLayout(home);
  const db = await openAdminDatabase(home, database, false);
  try {
    // With --database the directory may live in it (`directory migrate`), else in the home's file.
    const directory = await (await directoryStoreFor(home, db)).read();
    if (!directory.tenants.some((t) => t.id === tenant.data)) throw new AdminFailure(`unknown tenant "${tenant.data}"`);
    if (contract) await writeContract(db, serverNodeId(layout.serverNodeId), tenant.data, contract);
    const versions = await readContracts(db, tenant.data);
    const text = versions.length === 0 ? 'kein Vertrag' : versions.map((v) => describeContractDe(v.contract)).join('\n');
    return contract ? `${tenant.data}: Vertrag gespeichert\n${text}` : `${tenant.data}: ${text}`;
  } finally {
    await db.close();
  }
}
