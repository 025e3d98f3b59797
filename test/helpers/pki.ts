import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisioningBundle, ProvisioningPayload } from '../../protocol/identity.js';
import { runAdmin } from '../../server/admin/commands.js';
import { homeLayout, type HomeLayout } from '../../server/home/layout.js';

/**
 * A throw-away office-service home made through the admin CLI's own commands (in process, so no
 * tsx start per command): `ca init`, tenants, users with provisioning bundles. For PBX, sync and UI
 * tests that need real certificates from the real PKI.
 */
export interface PkiTenantSpec {
  id: string;
  name: string;
  numbers: string[];
  mobile?: string;
  /** What the teleworker reads aloud, and the consultation hours, both shown on the call card. */
  greeting?: string;
  hours?: string;
}

export interface PkiUserSpec {
  id: string;
  name: string;
  tenants: string[];
  role?: 'teleworker' | 'craftsman' | 'lead';
  /** Certificate validity; 0 gives an already expired certificate. Default 365. */
  days?: number;
  /** Default `pass-<id>-1234`. */
  passphrase?: string;
}

export interface PkiUser {
  id: string;
  passphrase: string;
  /** The provisioning bundle file and its text (what identity.import takes). */
  bundleFile: string;
  bundle: string;
  payload: ProvisioningPayload;
  /** The PKCS#12 from the bundle and its passphrase: `{pfx, passphrase, ca}` for Node's TLS. */
  pfx: Buffer;
  serial: string;
}

export interface PkiHome {
  home: string;
  layout: HomeLayout;
  caPem: string;
  users: Record<string, PkiUser>;
  /** Runs any admin command against this home (`--home` is appended). Returns its output. */
  admin(...args: string[]): Promise<string>;
  addUser(spec: PkiUserSpec): Promise<PkiUser>;
  /** `user renew`: a new certificate and bundle; the user's entry in `users` is replaced. */
  renew(id: string, days?: number): Promise<PkiUser>;
  /** `user revoke`: all of the user's certificates go on the CRL (layout.crl). */
  revoke(id: string): Promise<void>;
  cleanup(): void;
}

export interface PkiHomeOptions {
  hosts?: string[];
  pbxUrl?: string;
  /**
   * `ca init --sip-domain`. Default `localhost`: the suites' fixed AoRs (sip:alice@localhost) and the
   * stack's default (the home's domain) then agree whether the bundles point at 127.0.0.1 or localhost.
   * `null`: no `--sip-domain`, as the README's `ca init` (the domain is then the PBX URL's host).
   */
  sipDomain?: string | null;
  serverUrl?: string;
  /** `ca init --calendar-url`; default https://127.0.0.1:7445/. */
  calendarUrl?: string;
  tenants?: PkiTenantSpec[];
  users?: PkiUserSpec[];
}

export const DEFAULT_TENANTS: PkiTenantSpec[] = [
  { id: 'tischlerei', name: 'Tischlerei Holzwurm', numbers: ['+492211234567'], mobile: '+491701234567' },
  { id: 'sanitaer', name: 'Sanitär Rohrfrei', numbers: ['+49301234567'] },
];
export const DEFAULT_USERS: PkiUserSpec[] = [
  { id: 'anna', name: 'Anna Schmidt', tenants: ['tischlerei', 'sanitaer'], role: 'teleworker' },
  { id: 'max', name: 'Max Holzwurm', tenants: ['tischlerei'], role: 'craftsman' },
];

export function readBundle(file: string, passphrase: string): Omit<PkiUser, 'id'> {
  const bundle = readFileSync(file, 'utf8');
  const parsed = ProvisioningBundle.parse(JSON.parse(bundle));
  const payload = ProvisioningPayload.parse(JSON.parse(Buffer.from(parsed.payload, 'base64').toString('utf8')));
  return { passphrase, bundleFile: file, bundle, payload, pfx: Buffer.from(payload.pkcs12, 'base64'), serial: payload.serial };
}

export async function createPkiHome(options: PkiHomeOptions = {}): Promise<PkiHome> {
  const home = mkdtempSync(join(tmpdir(), 'vermittlung-pki-'));
  const layout = homeLayout(home);
  const admin = (...args: string[]) => runAdmin([...args, '--home', home]);
  const init = ['ca', 'init'];
  for (const host of options.hosts ?? []) init.push('--host', host);
  if (options.pbxUrl) init.push('--pbx-url', options.pbxUrl);
  if (options.sipDomain !== null) init.push('--sip-domain', options.sipDomain ?? 'localhost');
  if (options.serverUrl) init.push('--server-url', options.serverUrl);
  if (options.calendarUrl) init.push('--calendar-url', options.calendarUrl);
  await admin(...init);
  for (const tenant of options.tenants ?? DEFAULT_TENANTS) {
    const args = ['tenant', 'add', tenant.id, '--name', tenant.name];
    for (const number of tenant.numbers) args.push('--number', number);
    if (tenant.mobile) args.push('--mobile', tenant.mobile);
    if (tenant.greeting) args.push('--greeting', tenant.greeting);
    if (tenant.hours) args.push('--hours', tenant.hours);
    await admin(...args);
  }
  const users: Record<string, PkiUser> = {};
  const issue = async (id: string, command: string[], passphrase: string): Promise<PkiUser> => {
    const file = join(home, 'bundles', `${id}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
    await admin(...command, '--out', file, '--passphrase', passphrase);
    users[id] = { id, ...readBundle(file, passphrase) };
    return users[id];
  };
  const addUser = (spec: PkiUserSpec) => {
    const args = ['user', 'add', spec.id, '--name', spec.name, '--role', spec.role ?? 'teleworker'];
    for (const tenant of spec.tenants) args.push('--tenant', tenant);
    if (spec.days !== undefined) args.push('--days', String(spec.days));
    return issue(spec.id, args, spec.passphrase ?? `pass-${spec.id}-1234`);
  };
  for (const spec of options.users ?? DEFAULT_USERS) await addUser(spec);
  return {
    home,
    layout,
    caPem: readFileSync(layout.caCert, 'utf8'),
    users,
    admin,
    addUser,
    renew: (id, days) => {
      const user = users[id];
      if (!user) throw new Error(`unknown user ${id}`);
      return issue(id, ['user', 'renew', id, ...(days === undefined ? [] : ['--days', String(days)])], user.passphrase);
    },
    revoke: async (id) => {
      await admin('user', 'revoke', id);
    },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}
