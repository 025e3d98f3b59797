/**
 * The units' PBX configuration (pbx-config-main.ts is their ExecStartPre). Renders the PBX
 * configuration of the home (pbx/render.ts, the same as `npm run stack`) from the home's service
 * settings and the VERMITTLUNG_* variables of /etc/vermittlung/vermittlung.conf:
 *
 *   VERMITTLUNG_PBX_IP        address Kamailio and rtpengine serve on (empty: the first non-loopback IPv4)
 *   VERMITTLUNG_PBX_UDP_PORT  SIP over UDP for trunks and outside callers (5060)
 *   VERMITTLUNG_RTPENGINE_NG  Kamailio ↔ rtpengine control address (127.0.0.1:2225)
 *   VERMITTLUNG_RTP_PORTS     media port range (30000-39999)
 *   VERMITTLUNG_TRUNK         outbound gateway host:port (empty: none)
 *
 * The WSS port is the one of the home's PBX URL (`ca init --pbx-url`). With the directory in
 * PostgreSQL, Kamailio renders from its copies of the directory and CRL (pbx-directory-source.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { renderPbx } from '../../pbx/render.js';
import { MIGRATED_SUFFIX } from '../../server/admin/admin-directory.js';
import { readDirectory, serviceSipDomain } from '../../server/home/directory.js';
import { homeLayout } from '../../server/home/layout.js';
import { layoutFor, type DirectorySource } from './pbx-directory-source.js';
import { writeReloadState } from './pbx-reload-state.js';

export interface PbxEnvironment {
  ip: string;
  udpPort: number;
  ng: string;
  rtpMin: number;
  rtpMax: number;
  trunk: string | undefined;
}

function firstIpv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

export function pbxEnvironment(env: NodeJS.ProcessEnv): PbxEnvironment {
  const ip = env.VERMITTLUNG_PBX_IP?.trim() || firstIpv4();
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
    throw new Error(`VERMITTLUNG_PBX_IP must be an IPv4 address, got ${JSON.stringify(ip)}`);
  const udpPort = Number(env.VERMITTLUNG_PBX_UDP_PORT?.trim() || '5060');
  if (!Number.isInteger(udpPort) || udpPort < 1 || udpPort > 65535) throw new Error('VERMITTLUNG_PBX_UDP_PORT must be 1..65535');
  const ng = env.VERMITTLUNG_RTPENGINE_NG?.trim() || '127.0.0.1:2225';
  if (!/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(ng)) throw new Error('VERMITTLUNG_RTPENGINE_NG must be IPv4:PORT');
  const ports = /^(\d{4,5})-(\d{4,5})$/.exec(env.VERMITTLUNG_RTP_PORTS?.trim() || '30000-39999');
  const rtpMin = Number(ports?.[1]);
  const rtpMax = Number(ports?.[2]);
  if (!ports || rtpMin >= rtpMax || rtpMax > 65535) throw new Error('VERMITTLUNG_RTP_PORTS must be MIN-MAX, e.g. 30000-39999');
  return { ip, udpPort, ng, rtpMin, rtpMax, trunk: env.VERMITTLUNG_TRUNK?.trim() || undefined };
}

function wssPort(pbxUrl: string): number {
  const url = new URL(pbxUrl);
  return url.port ? Number(url.port) : 443;
}

export function renderKamailio(home: string, env: PbxEnvironment, source: DirectorySource = 'home'): string {
  const layout = layoutFor(homeLayout(home), source);
  if (source === 'home' && !existsSync(layout.directory) && existsSync(`${layout.directory}${MIGRATED_SUFFIX}`))
    throw new Error(
      `the directory moved into PostgreSQL (${layout.directory}${MIGRATED_SUFFIX}): set VERMITTLUNG_DATABASE in /etc/vermittlung/vermittlung.conf`,
    );
  const directory = readDirectory(layout.directory);
  if (!directory.service) throw new Error(`${layout.directory} has no service settings: run \`vermittlung-admin ca init\` first`);
  const rendered = renderPbx({
    layout,
    directory,
    wssPort: wssPort(directory.service.pbxUrl),
    udpPort: env.udpPort,
    rtpengineNg: env.ng,
    sipDomain: serviceSipDomain(directory.service),
    bindIp: env.ip,
    ...(env.trunk ? { trunk: env.trunk } : {}),
  });
  writeReloadState(layout, directory);
  return rendered.cfg;
}

export function renderRtpengine(home: string, env: PbxEnvironment): string {
  const file = join(homeLayout(home).pbxDir, 'rtpengine.conf');
  const lines = [
    '# Rendered by the vermittlung-rtpengine unit from /etc/vermittlung/vermittlung.conf; edits are overwritten.',
    '[rtpengine]',
    'table = -1',
    `interface = ${env.ip}`,
    `listen-ng = ${env.ng}`,
    `port-min = ${env.rtpMin}`,
    `port-max = ${env.rtpMax}`,
    '',
  ];
  writeFileSync(file, lines.join('\n'), { mode: 0o640 });
  return file;
}
