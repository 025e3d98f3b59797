import { existsSync } from 'node:fs';
import type { WeeklyHours } from '../protocol/firm-day.js';
import { REQUIRED_PACKAGES, type CommandWrap } from './daemons.js';

/** DIR/stack.json: what `npm run stack` started. Other tools and tests read it. */
export interface StackInfo {
  version: 1;
  home: string;
  /** The SIP domain of the users' AoRs (sip:alice@<sipDomain>). */
  sipDomain: string;
  /** wss://LISTEN_IP:PORT (127.0.0.1 by default) — the apps' SIP over WebSocket, client certificate required. */
  pbxWss: string;
  /** sip:LISTEN_IP:PORT;transport=udp — outside callers and trunks (baresip in tests). */
  pbxUdp: string;
  /** The central server's sync URL (client certificate required), when server/main.ts exists. */
  server?: string;
  /** The server's calendar feed listener (no client certificate, feeds only), with `server`. */
  feed?: string;
  /** The outbound gateway (host:port, UDP) for numbers outside this PBX, when one is configured. */
  trunk?: string;
  ports: { wss: number; udp: number; rtpengineNg: number; rtpMin: number; rtpMax: number; server?: number; feed?: number };
  pids: { kamailio: number; rtpengine: number; server?: number; stack: number };
  logs: { kamailio: string; rtpengine: string; server?: string };
  /** `kamcmd -s unix:<ctlSocket> tls.reload` re-reads the CRL by hand. */
  ctlSocket: string;
  startedAt: string;
}

export interface StackOptions {
  home: string;
  sipDomain?: string;
  /** Start the central server too (default: when server/main.ts exists). */
  server?: boolean;
  /** Poll the CRL and the server certificate and reload Kamailio's TLS settings when they change (default true). */
  watchCrl?: boolean;
  /** Poll directory.json and reload Kamailio's htable `directory` when it changes (default true). */
  watchDirectory?: boolean;
  tenantRingMs?: number;
  /** The outbound gateway for calls and DND forwards to numbers (host:port, UDP); none by default. */
  trunk?: string;
  /**
   * The UDP peers (`IP` or `IP:PORT`) allowed to send SIP besides the trunk; with these or a trunk, others
   * get 403 (docs/pbx.md, rule 11). Neither: every UDP source may send (the loopback demo).
   */
  udpPeers?: string[];
  /** The office's working hours for firms whose synced record holds none (default Mo–Fr 08:00–18:00). */
  officeHours?: WeeklyHours;
  /** Poll HOME/firm-schedules.json (the server's copy of the synced schedules) and reload `firmday` (default true). */
  watchSchedules?: boolean;
  /** How often the firms' timelines are rendered anew, so they never run out (default 10 minutes). */
  timelineRefreshMs?: number;
  /** Kamailio writes its CDRs into this PostgreSQL database (the server's); absent: files under HOME/pbx/cdr. */
  cdrPostgresUrl?: string;
  /** Fixed ports (the ones the home's provisioning bundles point at); free ones when absent. */
  /**
   * The directory and CRL live in this PostgreSQL database (`directory migrate`): copied into HOME/pbx/
   * at start and on every NOTIFY, then reloaded; the stack's own server gets the same --database.
   */
  directoryDatabase?: string;
  wssPort?: number;
  serverPort?: number;
  feedPort?: number;
  /**
   * The address Kamailio's listeners, rtpengine's media and its NG control port bind (default 127.0.0.1).
   * The NG port takes commands from anyone who reaches it: only an address on a private link.
   */
  listenIp?: string;
  /**
   * Runs Kamailio and rtpengine through this command line (e.g. `ip netns exec NS`: the PBX on a network
   * host of its own, with `listenIp` one of that host's addresses). The PID must stay the daemon's.
   */
  wrapDaemon?: CommandWrap;
  /** Kamailio's shared memory in MB (default 64); each TLS connection keeps its OpenSSL state there. */
  shmMb?: number;
  log?: (line: string) => void;
}

export class MissingPackageError extends Error {}

/** Refuses to start with a message naming the Debian package to install. */
export function checkPackages(): void {
  for (const pkg of REQUIRED_PACKAGES) {
    if (!existsSync(pkg.file)) {
      throw new MissingPackageError(`${pkg.name} is not installed: apt-get install ${pkg.name} (or run scripts/setup-debian.sh)`);
    }
  }
}
