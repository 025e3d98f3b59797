import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Directory } from '../server/home/directory.js';
import type { HomeLayout } from '../server/home/layout.js';

const templates = import.meta.dirname;
const DBTEXT_SCHEMA = '/usr/share/kamailio/dbtext/kamailio';
const PRESENCE_TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap', 'pua'];

export interface PbxRenderOptions {
  layout: HomeLayout;
  directory: Directory;
  wssPort: number;
  udpPort: number;
  rtpengineNg: string;
  /** The SIP domain the apps register under (also accepted as "myself"). */
  sipDomain: string;
  bindIp?: string;
  /** How long teleworkers ring on a tenant's number before the craftsmen are tried. */
  tenantRingMs?: number;
  logLevel?: number;
}

export interface RenderedPbx {
  dir: string;
  cfg: string;
  tlsCfg: string;
  ctlSocket: string;
  runDir: string;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder ${whole} has no value`);
    return value;
  });
}

/** Only characters that cannot break out of a Kamailio string literal or URI. */
function safeToken(value: string, what: string): string {
  if (!/^[A-Za-z0-9+._-]{1,64}$/.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot go into the PBX config`);
  return value;
}

/**
 * The forms in which a tenant's number may arrive from a trunk: E.164 (+4930…), without the plus,
 * with the international prefix 00, and in national form (030…).
 */
export function numberForms(number: string): string[] {
  const compact = number.replace(/[\s()/-]/g, '');
  const forms = new Set<string>([compact]);
  const parsed = parsePhoneNumberFromString(compact, 'DE');
  if (parsed) {
    const e164 = parsed.number;
    forms.add(e164);
    forms.add(e164.slice(1));
    forms.add(`00${e164.slice(1)}`);
    forms.add(parsed.formatNational().replace(/[^0-9]/g, ''));
  }
  return [...forms].filter((form) => /^\+?[0-9]{3,20}$/.test(form));
}

/** The generated part of the routing script: tenant numbers and who serves them. */
export function tenantRoutes(directory: Directory, sipDomain: string): string {
  const lines: string[] = ['####### Generated from directory.json #########', 'route[TENANT_NUMBER] {'];
  const targets: string[] = ['route[TENANT_TARGETS] {', '\tclear_branches();'];
  let first = true;
  for (const tenant of directory.tenants) {
    const forms = tenant.numbers.flatMap(numberForms);
    if (forms.length === 0) continue;
    const condition = forms.map((form) => `$rU == "${safeToken(form, 'number')}"`).join(' || ');
    lines.push(
      `\t${first ? 'if' : 'else if'} (${condition}) {`,
      `\t\t$avp(tenant) = "${safeToken(tenant.id, 'tenant id')}";`,
      '\t}',
    );
    first = false;
    const serving = directory.users.filter((user) => user.tenants.includes(tenant.id));
    const groups = {
      teleworkers: serving.filter((user) => user.role === 'teleworker'),
      craftsmen: serving.filter((user) => user.role === 'craftsman'),
    };
    targets.push(`\tif ($avp(tenant) == "${tenant.id}") {`);
    for (const [group, users] of Object.entries(groups)) {
      targets.push(`\t\tif ($var(next) == "${group}") {`);
      if (users.length === 0) {
        targets.push('\t\t\treturn -1;');
      } else {
        const [head, ...rest] = users.map((user) => `sip:${safeToken(user.id, 'user id')}@${sipDomain}`);
        targets.push(`\t\t\t$ru = "${head}";`);
        for (const uri of rest) targets.push(`\t\t\tappend_branch("${uri}");`);
        targets.push('\t\t\treturn 1;');
      }
      targets.push('\t\t}');
    }
    targets.push('\t}');
  }
  if (first) {
    lines.push('\treturn;');
  } else {
    lines.push('\telse {', '\t\treturn;', '\t}');
  }
  lines.push(
    '\t$avp(dialled) = $rU;',
    '\t$var(next) = "teleworkers";',
    '\tif (route(TENANT_TARGETS)) route(TENANT_FORK);',
    '\tsetflag(FLT_CRAFTSMEN_TRIED);',
    '\t$var(next) = "craftsmen";',
    '\tif (route(TENANT_TARGETS)) route(TENANT_FORK);',
    '\tsend_reply("480", "Temporarily Unavailable");',
    '\texit;',
    '}',
  );
  targets.push('\treturn -1;', '}');
  return [...lines, '', ...targets, ''].join('\n');
}

/**
 * The generated presence rules: the htables `users` and `tenancy` filled at start, and
 * route[SHARES_TENANT] — 1 when $var(watcher) and $var(presentity) are the same person or share a
 * tenant. One line per tenant, each two hash lookups, so a SUBSCRIBE costs O(tenants).
 */
export function visibilityRoutes(directory: Directory): string {
  const init = ['####### Generated from directory.json: who may watch whom #########', 'event_route[htable:mod-init] {'];
  for (const user of directory.users) {
    const id = safeToken(user.id, 'user id');
    init.push(`\t$sht(users=>${id}) = 1;`);
    for (const tenant of user.tenants) init.push(`\t$sht(tenancy=>${safeToken(tenant, 'tenant id')}:${id}) = 1;`);
  }
  // Kamailio refuses an empty route block: a fresh home (no users yet) must still start.
  if (directory.users.length === 0) init.push('\t$var(nobody) = 0;');
  init.push('}');
  const shares = [
    'route[SHARES_TENANT] {',
    '\tif ($var(watcher) == $var(presentity) && $sht(users=>$var(watcher)) == 1) return 1;',
  ];
  for (const tenant of directory.tenants) {
    const id = safeToken(tenant.id, 'tenant id');
    shares.push(`\tif ($sht(tenancy=>${id}:$var(watcher)) == 1 && $sht(tenancy=>${id}:$var(presentity)) == 1) return 1;`);
  }
  shares.push('\treturn -1;', '}');
  return [...init, '', ...shares, ''].join('\n');
}

/**
 * Writes HOME/pbx/kamailio.cfg and tls.cfg for this run and resets the presence tables (db_text
 * cannot load what pua wrote at the last shutdown).
 */
export function renderPbx(options: PbxRenderOptions): RenderedPbx {
  const { layout } = options;
  const dir = layout.pbxDir;
  const runDir = join(dir, 'run');
  const dbDir = join(dir, 'db');
  mkdirSync(runDir, { recursive: true });
  rmSync(dbDir, { recursive: true, force: true });
  mkdirSync(dbDir, { recursive: true });
  for (const table of PRESENCE_TABLES) {
    const source = join(DBTEXT_SCHEMA, table);
    if (!existsSync(source)) throw new Error(`${source} is missing: apt-get install kamailio`);
    copyFileSync(source, join(dbDir, table));
  }
  const sipDomain = safeToken(options.sipDomain, 'SIP domain');
  const ctlSocket = join(runDir, 'kamailio.ctl');
  const values: Record<string, string> = {
    BIND_IP: options.bindIp ?? '127.0.0.1',
    WSS_PORT: String(options.wssPort),
    UDP_PORT: String(options.udpPort),
    SIP_DOMAIN: sipDomain,
    PBX_DIR: dir,
    CTL_SOCKET: ctlSocket,
    RTPENGINE_NG: options.rtpengineNg,
    TENANT_RING_MS: String(options.tenantRingMs ?? 20_000),
    LOG_LEVEL: String(options.logLevel ?? 2),
    SERVER_KEY: layout.serverKey,
    SERVER_CERT: layout.serverCert,
    CA_CERT: layout.caCert,
    CRL: layout.crl,
    TENANT_ROUTES: tenantRoutes(options.directory, sipDomain),
    VISIBILITY_ROUTES: visibilityRoutes(options.directory),
  };
  for (const path of [dir, layout.serverKey, layout.serverCert, layout.caCert, layout.crl]) {
    if (/["\s]/.test(path))
      throw new Error(`path ${JSON.stringify(path)} contains quotes or spaces, which Kamailio's config cannot take`);
  }
  const cfg = join(dir, 'kamailio.cfg');
  const tlsCfg = join(dir, 'tls.cfg');
  writeFileSync(cfg, fill(readFileSync(join(templates, 'kamailio.cfg.template'), 'utf8'), values), { mode: 0o600 });
  writeFileSync(tlsCfg, fill(readFileSync(join(templates, 'tls.cfg.template'), 'utf8'), values), { mode: 0o600 });
  return { dir, cfg, tlsCfg, ctlSocket, runDir };
}
