import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServerDeb, type BuiltPackage } from '../../packaging/build-server-deb.js';
import { freePort, spawnDaemon, type Daemon } from '../../pbx/daemons.js';
import { readBundle } from './pki.js';
import { startProcess } from './processes.js';

/**
 * The server package as IT would meet it, without installing it: built, extracted into a temporary
 * root, and run from there with a bare environment (no PATH into the repository, a working directory
 * outside it), so only what the package carries can be loaded. Run as root (as here), the services
 * run as `nobody` — standing in for the package's `vermittlung` user — over a home that
 * vermittlung-admin left owned the way the units need it.
 */
export interface ExtractedPackage {
  built: BuiltPackage;
  /** The temporary root the .deb was extracted into. */
  root: string;
  /** A scratch directory outside the repository: working directory, homes, backups, bundles. */
  work: string;
  asService: boolean;
  run(command: string, args: string[], options?: { asService?: boolean; env?: Record<string, string> }): Promise<Ran>;
  admin(...args: string[]): Promise<Ran>;
  startServer(home: string, port: number, database?: string): ReturnType<typeof startProcess>;
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const SERVICE_USER = 'nobody';
const SERVICE_GROUP = 'nogroup';

export async function extractServerPackage(): Promise<ExtractedPackage> {
  const work = mkdtempSync(join(tmpdir(), 'vermittlung-pkg-'));
  // The service user must reach the extracted files and the homes below.
  chmodSync(work, 0o755);
  const built = await buildServerDeb(join(work, 'out'));
  const root = join(work, 'root');
  const asService = process.getuid?.() === 0;
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
  const run = (
    command: string,
    args: string[],
    options: { asService?: boolean; env?: Record<string, string> } = {},
  ): Promise<Ran> =>
    new Promise((resolve) => {
      const [file, argv] =
        options.asService && asService
          ? ['setpriv', [`--reuid=${SERVICE_USER}`, `--regid=${SERVICE_GROUP}`, '--clear-groups', command, ...args]]
          : [command, args];
      execFile(
        file,
        argv,
        { cwd: work, env: { ...env, ...options.env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  await run('dpkg-deb', ['-x', built.deb, root]);
  chmodSync(root, 0o755);
  // The conffile as IT would edit it: here the service user of this machine.
  const conf = join(root, 'etc', 'vermittlung', 'vermittlung.conf');
  writeFileSync(
    conf,
    readFileSync(conf, 'utf8').replace(
      /^VERMITTLUNG_SERVICE_USER=.*$/m,
      `VERMITTLUNG_SERVICE_USER=${asService ? SERVICE_USER : ''}`,
    ),
  );
  const admin = (...args: string[]) => run(join(root, 'usr', 'bin', 'vermittlung-admin'), args);
  const startServer = (home: string, port: number, database?: string) => {
    const argv = [
      join(root, 'usr', 'lib', 'vermittlung-server', 'server.mjs'),
      '--home',
      home,
      '--port',
      String(port),
      '--feed-port',
      '0',
      `--database=${database ?? ''}`,
    ];
    const [file, args] = asService
      ? ['setpriv', [`--reuid=${SERVICE_USER}`, `--regid=${SERVICE_GROUP}`, '--clear-groups', 'node', ...argv]]
      : ['node', argv];
    return startProcess(file, args, /Vermittlung-Server läuft: (https:\/\/\S+)/, { cwd: work, env, timeoutMs: 60_000 });
  };
  return { built, root, work, asService, run, admin, startServer };
}

type UnitCommand = 'ExecStartPre' | 'ExecStart';

/**
 * A packaged unit's ExecStartPre or ExecStart command lines, moved into the extracted root and
 * `home`, with `${VARIABLE}`s taken from `env` as systemd takes them from the EnvironmentFile
 * (empty when unset).
 */
export function unitCommands(
  pkg: ExtractedPackage,
  home: string,
  unit: string,
  key: UnitCommand,
  env: Record<string, string> = {},
): string[][] {
  const text = readFileSync(join(pkg.root, 'lib', 'systemd', 'system', unit), 'utf8');
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) =>
    m[1]!
      .replaceAll('/usr/bin/node ', 'node ')
      .replaceAll('/usr/lib/vermittlung-server', join(pkg.root, 'usr', 'lib', 'vermittlung-server'))
      .replaceAll('/var/lib/vermittlung', home)
      .split(' ')
      .map((arg) => arg.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? '')),
  );
}

/** Free ports for the PBX units on loopback, and the environment the units read them from (vermittlung.conf's names). */
export async function pbxUnitPorts(): Promise<{ wss: number; udp: number; ng: number; env: Record<string, string> }> {
  const [wss, udp, ng] = [await freePort('both'), await freePort('both'), await freePort('udp')];
  const rtpMin = 20000 + 2 * Math.floor(Math.random() * 19000);
  return {
    wss,
    udp,
    ng,
    env: {
      VERMITTLUNG_PBX_IP: '127.0.0.1',
      VERMITTLUNG_PBX_UDP_PORT: String(udp),
      VERMITTLUNG_RTPENGINE_NG: `127.0.0.1:${ng}`,
      VERMITTLUNG_RTP_PORTS: `${rtpMin}-${rtpMin + 99}`,
    },
  };
}

/**
 * Starts a unit as systemd would, without systemd: its ExecStartPre commands (each must succeed), then
 * its ExecStart as a daemon logging to WORK/UNIT.log — as the service user when run as root.
 * `adjust` may change the ExecStart's arguments (a shorter timer).
 */
export async function startUnit(
  pkg: ExtractedPackage,
  home: string,
  unit: string,
  env: Record<string, string>,
  adjust?: (args: string[]) => void,
): Promise<Daemon> {
  for (const [command, ...args] of unitCommands(pkg, home, unit, 'ExecStartPre', env)) {
    const pre = await pkg.run(command!, args, { asService: true, env });
    if (pre.code !== 0) throw new Error(`${unit} ExecStartPre failed (${pre.code}): ${pre.stderr}`);
  }
  const [command, ...args] = unitCommands(pkg, home, unit, 'ExecStart', env)[0]!;
  adjust?.(args);
  const argv = pkg.asService
    ? [`--reuid=${SERVICE_USER}`, `--regid=${SERVICE_GROUP}`, '--clear-groups', command!, ...args]
    : args;
  return spawnDaemon(unit, pkg.asService ? 'setpriv' : command!, argv, join(pkg.work, `${unit}.log`), undefined, true);
}

function agentFor(tls: BundleTls): Agent {
  let agent = agents.get(tls);
  if (!agent) agents.set(tls, (agent = new Agent({ ...tls, keepAlive: true, maxSockets: 1 })));
  return agent;
}

export interface BundleTls {
  pfx: Buffer;
  passphrase: string;
  ca: string;
}

export function bundleTls(file: string, passphrase: string): BundleTls {
  const bundle = readBundle(file, passphrase);
  return { pfx: bundle.pfx, passphrase, ca: bundle.payload.caCertificate };
}

const agents = new WeakMap<BundleTls, Agent>();

/** One HTTPS request with a user's provisioning bundle, on a kept-alive connection of that user. */
export function request(
  url: string,
  tls: BundleTls,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, url),
      { method, agent: agentFor(tls), headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
