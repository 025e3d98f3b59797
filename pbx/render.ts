import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Directory } from '../server/home/directory.js';
import type { HomeLayout } from '../server/home/layout.js';
import type { WeeklyHours } from '../protocol/firm-day.js';
import { writeDirectoryTable } from './directory-table.js';
import { renderFirmday, type FirmdayRender } from './firm-routing-table.js';

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
  /**
   * The outbound gateway (`host:port`, UDP) that reaches numbers outside this PBX: the apps' own calls
   * to numbers and DND forwards to a number go there (docs/pbx.md, rules 8 and 10). None: numbers that
   * are not a tenant's get 404, and a DND forward to one 486.
   */
  trunk?: string;
  /**
   * The UDP peers (`IP` or `IP:PORT`; IPv6 as `[IP]:PORT`) allowed to send SIP besides the trunk. With
   * these or a trunk, every other UDP source is answered 403 (docs/pbx.md, rule 11); with neither,
   * any UDP source may send (the loopback demo: outside callers on the same machine).
   */
  udpPeers?: string[];
  logLevel?: number;
  /** The office's working hours for firms whose synced record holds none (default Mo–Fr 08:00–18:00). */
  officeHours?: WeeklyHours;
  /**
   * Where the PBX writes its call detail records: the server's PostgreSQL (`postgres://user@host:port/db`)
   * when the server runs on one, else files in `cdrDir` that the server ingests (default HOME/pbx/cdr).
   */
  cdrPostgresUrl?: string;
}

export interface RenderedPbx {
  dir: string;
  cfg: string;
  tlsCfg: string;
  ctlSocket: string;
  runDir: string;
  /** db_text directory of the htables `directory` (pbx/directory-table.ts) and `firmday` (pbx/firm-timeline.ts). */
  htableDir: string;
  /** The spoken announcements of closed firms (WAV). */
  announceDir: string;
  /** The first rendering of `firmday`; its `pending` announcements are still being spoken. */
  firmday: FirmdayRender;
  /** The directory db_flatstore appends CDRs to (absent when they go to PostgreSQL). */
  cdrDir?: string;
}

/** Preprocessor lines that choose where acc writes its CDRs (kamailio.cfg.template, Metering). */
export function cdrDefines(postgresUrl: string | undefined, cdrDir: string): string {
  if (postgresUrl) {
    if (!/^postgres:\/\/[A-Za-z0-9_.:@%-]+\/[A-Za-z0-9_-]+$/.test(postgresUrl))
      throw new Error(`CDR database ${JSON.stringify(postgresUrl)} must be postgres://user[:password]@host:port/database`);
    return ['#!define CDR_POSTGRES', `#!define CDR_DB_URL "${postgresUrl}"`].join('\n');
  }
  return `#!define CDR_DB_URL "flatstore:${cdrDir}"`;
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

/** Preprocessor lines that switch the outbound route on (kamailio.cfg.template, route[TO_TRUNK]). */
export function trunkDefines(trunk: string | undefined): string {
  if (!trunk) return "# No trunk: numbers that are not a tenant's are not routed.";
  if (!/^[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/.test(trunk)) throw new Error(`trunk ${JSON.stringify(trunk)} must be host:port`);
  return ['#!define WITH_TRUNK', `#!define TRUNK_HOSTPORT "${trunk}"`].join('\n');
}

/** One allowed UDP peer as `{ip, port?}`; refuses anything that is not an IP address (with a port). */
export function parseUdpPeer(peer: string): { ip: string; port?: number } {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?$/.exec(peer);
  const plain = /^([0-9.]+)(?::([0-9]{1,5}))?$/.exec(peer);
  const match = bracketed ?? plain ?? (isIP(peer) === 6 ? [peer, peer] : null);
  const ip = match?.[1];
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!ip || isIP(ip) === 0 || (port !== undefined && (port < 1 || port > 65535)))
    throw new Error(`UDP peer ${JSON.stringify(peer)} must be an IP address, optionally with :port`);
  return port === undefined ? { ip } : { ip, port };
}

/**
 * The body of route[UDP_PEER] (kamailio.cfg.template): 1 for an allowed UDP source, -1 for any other.
 * The trunk's address (any port) is allowed when it is an IP address; a trunk named by host must be listed by
 * address (the PBX resolves no names). No peers and no trunk: every source is allowed.
 */
export function udpPeerRoute(trunk: string | undefined, peers: readonly string[] | undefined): string {
  const allowed = (peers ?? []).map(parseUdpPeer);
  const trunkHost = trunk?.slice(0, trunk.lastIndexOf(':'));
  // A trunk may send from another port than the one it takes calls on: its address counts, not the port.
  if (trunkHost && isIP(trunkHost)) allowed.push({ ip: trunkHost });
  else if (trunkHost && allowed.length === 0)
    throw new Error(`trunk ${JSON.stringify(trunk)} is named by host: list its addresses as UDP peers`);
  if (!trunk && peers === undefined) return '\t# No UDP peers configured: every source may send.\n\treturn 1;';
  const lines = allowed.map(({ ip, port }) =>
    port === undefined ? `\tif ($si == "${ip}") return 1;` : `\tif ($si == "${ip}" && $sp == ${port}) return 1;`,
  );
  return [...lines, '\treturn -1;'].join('\n');
}

/**
 * `alias=` lines besides the ones with ports. A bare alias makes the name "myself" on every port: for
 * a domain name that is what the apps' AoRs need, but for an IP address (a PBX URL on
 * wss://127.0.0.1) it would make every local peer — the outside caller on the same machine — the
 * PBX itself, and in-dialog requests to it would end here with 404.
 */
export function bareAlias(sipDomain: string): string {
  return isIP(sipDomain) ? `# ${sipDomain} is an IP address: no alias without a port.` : `alias=${sipDomain}`;
}

/**
 * Writes HOME/pbx/kamailio.cfg and tls.cfg for this run, the htables of the directory and of the firms'
 * timelines (HOME/pbx/htable, reloaded at runtime by the stack) and resets the presence tables (db_text cannot load what pua
 * wrote at the last shutdown).
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
  const htableDir = join(dir, 'htable');
  const sipDomain = safeToken(options.sipDomain, 'SIP domain');
  const ctlSocket = join(runDir, 'kamailio.ctl');
  const cdrDir = layout.cdrDir;
  if (!options.cdrPostgresUrl) mkdirSync(cdrDir, { recursive: true });
  const values: Record<string, string> = {
    BIND_IP: options.bindIp ?? '127.0.0.1',
    WSS_PORT: String(options.wssPort),
    UDP_PORT: String(options.udpPort),
    SIP_DOMAIN: sipDomain,
    PBX_DIR: dir,
    HTABLE_DIR: htableDir,
    CTL_SOCKET: ctlSocket,
    RTPENGINE_NG: options.rtpengineNg,
    TENANT_RING_MS: String(options.tenantRingMs ?? 20_000),
    LOG_LEVEL: String(options.logLevel ?? 2),
    SERVER_KEY: layout.serverKey,
    SERVER_CERT: layout.serverCert,
    CA_CERT: layout.caCert,
    CRL: layout.crl,
    TRUNK_DEFINES: trunkDefines(options.trunk),
    UDP_PEER_ROUTE: udpPeerRoute(options.trunk, options.udpPeers),
    BARE_ALIAS: bareAlias(sipDomain),
    CDR_DEFINES: cdrDefines(options.cdrPostgresUrl, cdrDir),
  };
  for (const path of [dir, htableDir, cdrDir, layout.serverKey, layout.serverCert, layout.caCert, layout.crl]) {
    if (/["\s]/.test(path))
      throw new Error(`path ${JSON.stringify(path)} contains quotes or spaces, which Kamailio's config cannot take`);
  }
  writeDirectoryTable(htableDir, options.directory);
  const announceDir = join(dir, 'announcements');
  const firmday = renderFirmday({
    htableDir,
    announceDir,
    schedulesFile: layout.firmSchedules,
    directory: options.directory,
    ...(options.officeHours ? { officeHours: options.officeHours } : {}),
  });
  const cfg = join(dir, 'kamailio.cfg');
  const tlsCfg = join(dir, 'tls.cfg');
  writeFileSync(cfg, fill(readFileSync(join(templates, 'kamailio.cfg.template'), 'utf8'), values), { mode: 0o600 });
  writeFileSync(tlsCfg, fill(readFileSync(join(templates, 'tls.cfg.template'), 'utf8'), values), { mode: 0o600 });
  return { dir, cfg, tlsCfg, ctlSocket, runDir, htableDir, announceDir, firmday, ...(options.cdrPostgresUrl ? {} : { cdrDir }) };
}
