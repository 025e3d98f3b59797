import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isSipDomain } from '../../protocol/identity.js';
import { TenantId } from '../../protocol/sync.js';
import { DirectoryUserEntry, Role, type Directory } from '../home/directory.js';
import { AdminFailure, OfficeCa } from '../pki/office-ca.js';
import { DATABASE_OPTION, checkDatabaseUrl, withOfficeCa } from './admin-directory.js';
import {
  BACKUP_USAGE,
  CALENDAR_USAGE,
  CONTRACT_USAGE,
  DIRECTORY_USAGE,
  HOURS_USAGE,
  REPORT_USAGE,
  SERVICE_HOURS_USAGE,
  TENANT_USAGE,
} from './usage.js';

/**
 * The admin commands (docs/it-rollout.md). Each takes its argv tail and returns the text to print.
 * UsageError → exit code 2 (wrong command line, values that can never be right); AdminFailure → 1
 * (the home says no: missing CA, unknown tenant, duplicate id).
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run admin -- <command>
  ca init --home DIR [--host NAME]… [--ca-name "…"] [--pbx-url wss://…] [--sip-domain NAME] [--server-url https://…] [--calendar-url https://…] [--stun stun:…]… [--update-channel NAME] [--crl-days N]
  ca crl --home DIR [--database postgres://…]
  ca server-cert --home DIR [--host NAME]… [--days N] [--database postgres://…]
${TENANT_USAGE}
${HOURS_USAGE}
${SERVICE_HOURS_USAGE}
${CONTRACT_USAGE}
  user add ID --name "…" [--tenant ID]… [--role teleworker|craftsman|lead] [--days N] --home DIR --out FILE [--passphrase P]
  user revoke ID --home DIR
  user remove ID --home DIR
  user list --home DIR
  user renew ID --home DIR --out FILE [--days N] [--passphrase P]
      user, tenant add/set, calendar and ca crl take [--database postgres://…]: the directory in PostgreSQL
${DIRECTORY_USAGE}
${CALENDAR_USAGE}
${REPORT_USAGE}
${BACKUP_USAGE}`;

type Spec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parse(argv: string[], options: Spec, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 1 ? 'expected exactly one ID' : `unexpected argument "${parsed.positionals[0]}"`);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  return { values, id: parsed.positionals[0] };
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

function list(values: Record<string, unknown>, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? (value as string[]) : [];
}

function days(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3650)
    throw new UsageError(`--days must be an integer 0..3650, got "${typeof value === 'string' ? value : '?'}"`);
  return n;
}

function userId(id: string | undefined): string {
  const result = DirectoryUserEntry.shape.id.safeParse(id);
  if (!result.success) {
    throw new UsageError(`user ID "${id}" must be 1–63 characters of a–z, 0–9, ".", "_", "-" (it becomes the SIP user)`);
  }
  return result.data;
}

function tenantId(id: string | undefined): string {
  const result = TenantId.safeParse(id);
  if (!result.success) throw new UsageError(`tenant ID "${id}" is not valid: ${result.error.issues[0]?.message ?? ''}`);
  return result.data;
}

const home = { home: { type: 'string' }, ...DATABASE_OPTION } as const;

/** The CA of --home with the directory of --database (PostgreSQL) or the home's file. */
function withCa<T>(values: Record<string, unknown>, run: (ca: OfficeCa) => Promise<T>): Promise<T> {
  const database = checkDatabaseUrl(values.database, (message) => new UsageError(message));
  return withOfficeCa(required(values, 'home'), database, run);
}

/** Where a rewritten CRL went, for the commands' output. */
const crlPlace = (ca: OfficeCa): string => (ca.store.kind === 'file' ? ca.layout.crl : 'PostgreSQL');

async function caInit(argv: string[]): Promise<string> {
  const { values } = parse(
    argv,
    {
      home: { type: 'string' },
      host: { type: 'string', multiple: true },
      'ca-name': { type: 'string' },
      'pbx-url': { type: 'string' },
      'sip-domain': { type: 'string' },
      'server-url': { type: 'string' },
      'calendar-url': { type: 'string' },
      stun: { type: 'string', multiple: true },
      'update-channel': { type: 'string' },
      'crl-days': { type: 'string' },
    },
    0,
  );
  const pbxUrl = values['pbx-url'] as string | undefined;
  const serverUrl = values['server-url'] as string | undefined;
  const calendarUrl = values['calendar-url'] as string | undefined;
  const sipDomain = values['sip-domain'] as string | undefined;
  if (sipDomain !== undefined && !isSipDomain(sipDomain))
    throw new UsageError('--sip-domain must be a host name or IPv4 address (the part after @ in sip:anna@pbx.example.de)');
  if (pbxUrl !== undefined && !/^wss:\/\/[^/\s]+/.test(pbxUrl)) throw new UsageError('--pbx-url must start with wss://');
  if (serverUrl !== undefined && !/^https:\/\/[^/\s]+/.test(serverUrl))
    throw new UsageError('--server-url must start with https://');
  if (calendarUrl !== undefined && !/^https:\/\/[^/\s]+/.test(calendarUrl))
    throw new UsageError('--calendar-url must start with https://');
  const crlDays = values['crl-days'] === undefined ? undefined : days(values['crl-days'], 7);
  if (crlDays === 0) throw new UsageError('--crl-days must be at least 1');
  const ca = new OfficeCa(resolve(required(values, 'home')));
  const result = await ca.init({
    hosts: list(values, 'host'),
    ...(values['ca-name'] ? { caName: values['ca-name'] as string } : {}),
    ...(pbxUrl ? { pbxUrl } : {}),
    ...(sipDomain ? { sipDomain } : {}),
    ...(serverUrl ? { serverUrl } : {}),
    ...(calendarUrl ? { calendarUrl } : {}),
    stunUrls: list(values, 'stun'),
    ...(values['update-channel'] ? { updateChannel: values['update-channel'] as string } : {}),
    ...(crlDays ? { crlDays } : {}),
  });
  const l = ca.layout;
  return [
    `CA created in ${l.home}`,
    `  CA certificate:   ${l.caCert}`,
    `  CA key (secret):  ${l.caKey}`,
    `  server/PBX TLS:   ${l.serverCert} (hosts: ${result.hosts.join(', ')})`,
    `  CRL:              ${l.crl} (valid ${result.service.crlDays} days; refresh with \`ca crl\`)`,
    `  PBX URL:          ${result.service.pbxUrl}`,
    `  SIP domain:       ${result.service.sipDomain}`,
    `  server URL:       ${result.service.serverUrl}`,
    `  calendar feeds:   ${result.service.calendarUrl} (no client certificate; open this port only for the feeds)`,
  ].join('\n');
}

async function caCrl(argv: string[]): Promise<string> {
  const { values } = parse(argv, home, 0);
  return withCa(values, async (ca) => {
    const { revoked, nextUpdate } = await ca.refreshCrl();
    return `CRL written to ${crlPlace(ca)}: ${revoked} revoked certificate(s), next update ${nextUpdate.toISOString()}`;
  });
}

async function caServerCert(argv: string[]): Promise<string> {
  const { values } = parse(argv, { ...home, host: { type: 'string', multiple: true }, days: { type: 'string' } }, 0);
  const validity = days(values.days, 825);
  if (validity < 1) throw new UsageError('--days must be at least 1 for a server certificate');
  return withCa(values, async (ca) => serverCertText(ca, await ca.renewServerCert(list(values, 'host'), validity)));
}

function serverCertText(ca: OfficeCa, renewed: Awaited<ReturnType<OfficeCa['renewServerCert']>>): string {
  return [
    `new server certificate ${renewed.serial} for ${renewed.hosts.join(', ')}, valid until ${renewed.notAfter.toISOString()}`,
    `written to ${ca.layout.serverCert} (key: ${ca.layout.serverKey})`,
    'Next steps:',
    "  1. The central server and `npm run stack`'s Kamailio load it by themselves within seconds; open",
    '     connections keep the old one until they reconnect.',
    '  2. A separately run Kamailio: `kamcmd tls.reload`. Copy both files to every other server or PBX using them.',
  ].join('\n');
}

function issueText(result: Awaited<ReturnType<OfficeCa['issueBundle']>>): string {
  const lines = [
    `certificate ${result.serial} for ${result.user.id}, valid until ${result.notAfter.toISOString()}`,
    `provisioning bundle written to ${result.bundleFile}`,
  ];
  if (result.generatedPassphrase) {
    lines.push(`passphrase (shown once; give it to the user separately from the bundle): ${result.passphrase}`);
  }
  return lines.join('\n');
}

async function userAdd(argv: string[]): Promise<string> {
  const spec = {
    ...home,
    name: { type: 'string' },
    tenant: { type: 'string', multiple: true },
    role: { type: 'string' },
    days: { type: 'string' },
    out: { type: 'string' },
    passphrase: { type: 'string' },
  } as const;
  const { values, id } = parse(argv, spec, 1);
  const uid = userId(id);
  const name = required(values, 'name');
  const tenants = [...new Set(list(values, 'tenant').map(tenantId))];
  const role = Role.safeParse(values.role ?? 'teleworker');
  if (!role.success) throw new UsageError(`--role must be teleworker, craftsman or lead, got "${String(values.role)}"`);
  // A lead serves every tenant without being given one; anyone else serves only the tenants named.
  if (tenants.length === 0 && role.data !== 'lead') throw new UsageError('at least one --tenant is required');
  const validity = days(values.days, 365);
  const out = resolve(required(values, 'out'));
  const passphrase = passphraseOption(values.passphrase);
  return withCa(values, async (ca) => {
    await ca.loadCa();
    const directory = await ca.directory();
    if (directory.users.some((u) => u.id === uid)) throw new AdminFailure(`user "${uid}" already exists (use \`user renew\`)`);
    if (directory.tenants.length === 0) throw new AdminFailure('no tenant yet (add one with `tenant add` first)');
    const unknown = tenants.filter((t) => !directory.tenants.some((d) => d.id === t));
    if (unknown.length > 0) throw new AdminFailure(`unknown tenant(s): ${unknown.join(', ')} (add them with \`tenant add\`)`);
    await ca.saveDirectory({
      ...directory,
      users: [...directory.users, { id: uid, name, role: role.data, tenants, certificates: [] }],
    });
    return issueText(await ca.issueBundle(uid, out, validity, passphrase));
  });
}

function passphraseOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 8) throw new UsageError('--passphrase must have at least 8 characters');
  return value;
}

async function userRenew(argv: string[]): Promise<string> {
  const spec = { ...home, out: { type: 'string' }, days: { type: 'string' }, passphrase: { type: 'string' } } as const;
  const { values, id } = parse(argv, spec, 1);
  const uid = userId(id);
  const out = resolve(required(values, 'out'));
  const validity = days(values.days, 365);
  const passphrase = passphraseOption(values.passphrase);
  return withCa(values, async (ca) => issueText(await ca.issueBundle(uid, out, validity, passphrase)));
}

async function userRevoke(argv: string[]): Promise<string> {
  const { values, id } = parse(argv, home, 1);
  const uid = userId(id);
  return withCa(values, async (ca) => revokedText(ca, uid, await ca.revokeUser(uid)));
}

function revokedText(ca: OfficeCa, uid: string, serials: string[]): string {
  return [
    serials.length > 0
      ? `revoked ${serials.length} certificate(s) of ${uid}: ${serials.join(', ')}`
      : `${uid} had no unrevoked certificate`,
    `CRL rewritten: ${crlPlace(ca)}`,
    'Next steps:',
    '  1. The central server reads the new CRL by itself (it watches the file) and refuses the user from now on.',
    "  2. The PBX: `npm run stack` reloads Kamailio's TLS settings when the CRL changes; for a separately run",
    "     Kamailio, run `kamcmd tls.reload` — and close that user's open connections (restart Kamailio if unsure),",
    '     because Kamailio keeps already-open TLS connections on the old settings.',
    '  3. Copy the CRL to every other server/PBX that checks these certificates.',
  ].join('\n');
}

async function userRemove(argv: string[]): Promise<string> {
  const { values, id } = parse(argv, home, 1);
  const uid = userId(id);
  return withCa(values, async (ca) => removedText(ca, uid, await ca.removeUser(uid)));
}

function removedText(ca: OfficeCa, uid: string, serials: string[]): string {
  return [
    `removed ${uid} from the directory; ${serials.length} certificate(s) revoked now${serials.length ? `: ${serials.join(', ')}` : ''}`,
    `CRL rewritten: ${crlPlace(ca)} (it keeps every certificate ${uid} ever had)`,
    'Next steps:',
    "  1. The central server and `npm run stack`'s PBX read the directory and the CRL by themselves: the user",
    '     disappears from every team list and can no longer register; open connections are closed.',
    '  2. A separately run Kamailio: `kamcmd htable.reload directory` and `kamcmd tls.reload`.',
    '  3. Copy the CRL to every other server/PBX that checks these certificates.',
    `  Notes, calls and appointments ${uid} wrote stay with their firms.`,
  ].join('\n');
}

async function userList(argv: string[]): Promise<string> {
  const { values } = parse(argv, home, 0);
  return withCa(values, async (ca) => {
    if (!ca.exists()) throw new AdminFailure(`no CA in ${ca.layout.home}`);
    return listText(await ca.directory());
  });
}

function listText(directory: Directory): string {
  if (directory.users.length === 0) return 'no users';
  const now = Date.now();
  return directory.users
    .map((u) => {
      const certs = u.certificates.map((c) => {
        const state = c.revokedAt ? `revoked ${c.revokedAt}` : Date.parse(c.notAfter) < now ? 'expired' : 'valid';
        return `    ${c.serial}  until ${c.notAfter}  ${state}`;
      });
      return [`${u.id}\t${u.name}\t${u.role}\ttenants: ${u.tenants.join(', ')}`, ...certs].join('\n');
    })
    .join('\n');
}

/** `--help`, `-h` or `help` anywhere asks for the usage: an answer, not a mistake (exit 0). */
function asksForHelp(argv: string[]): boolean {
  return argv[0] === 'help' || argv.some((arg) => arg === '--help' || arg === '-h');
}

export async function runAdmin(argv: string[]): Promise<string> {
  if (asksForHelp(argv)) return USAGE;
  const [group, action, ...rest] = argv;
  const key = `${group ?? ''} ${action ?? ''}`;
  const usageError = (message: string) => new UsageError(message);
  // The commands of other modules are loaded when asked for: the report's PDF writer and the backup's
  // database drivers would otherwise slow every other command's start.
  if (group === 'calendar') return (await import('./calendar.js')).runCalendar(action, rest, usageError);
  if (group === 'report')
    return (await import('./report.js')).runReport(action === undefined ? rest : [action, ...rest], usageError);
  if (group === 'backup' || group === 'restore') {
    const tail = action === undefined ? rest : [action, ...rest];
    const { runBackup, runRestore } = await import('./backup.js');
    return (group === 'backup' ? runBackup : runRestore)(tail, usageError);
  }
  switch (key) {
    case 'ca init':
      return caInit(rest);
    case 'ca crl':
      return caCrl(rest);
    case 'ca server-cert':
      return caServerCert(rest);
    case 'tenant add':
      return (await import('./tenant.js')).runTenantAdd(rest, usageError);
    case 'tenant set':
      return (await import('./tenant.js')).runTenantSet(rest, usageError);
    case 'tenant hours':
      return (await import('./firm-hours.js')).runTenantHours(rest, usageError);
    case 'service hours':
      return (await import('./office-hours.js')).runServiceHours(rest, usageError);
    case 'tenant contract':
      return (await import('./firm-contract.js')).runTenantContract(rest, usageError);
    case 'user add':
      return userAdd(rest);
    case 'user revoke':
      return userRevoke(rest);
    case 'user remove':
      return userRemove(rest);
    case 'user list':
      return userList(rest);
    case 'user renew':
      return userRenew(rest);
    case 'directory migrate':
      return (await import('./directory-migrate.js')).runDirectory(['migrate', ...rest], usageError);
    default:
      throw new UsageError(group ? `unknown command "${key.trim()}"` : 'no command given');
  }
}
