import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, rtpenginePing, spawnDaemon, waitFor, type Daemon, type DaemonHost } from './daemons.js';

export interface RunningRtpengine {
  daemon: Daemon;
  ng: number;
  rtpMin: number;
  rtpMax: number;
}

/**
 * rtpengine on a free NG port and a random media window (parallel stacks on this machine stay out
 * of each other's ports). Once in a CI run it printed nothing for 10 s and never answered a ping:
 * a start that hangs is killed by its PID and tried once more, on new ports.
 */
export async function startRtpengine(
  pbxDir: string,
  logDir: string,
  say: (line: string) => void,
  host: DaemonHost = {},
): Promise<RunningRtpengine> {
  mkdirSync(join(pbxDir, 'run'), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const ng = await freePort('udp');
    const rtpMin = 20000 + 2 * Math.floor(Math.random() * 19000);
    const ports = { ng, rtpMin, rtpMax: rtpMin + 999 };
    try {
      const daemon = await spawnRtpengine(
        pbxDir,
        ports,
        join(logDir, attempt === 1 ? 'rtpengine.log' : `rtpengine-${attempt}.log`),
        host,
      );
      return { daemon, ...ports };
    } catch (error) {
      if (attempt >= 2) throw error;
      say(`rtpengine did not answer (${(error as Error).message}); starting it again`);
    }
  }
}

/** rtpengine on the given ports (a restart keeps the NG port Kamailio's config names); killed if it never answers. */
export async function spawnRtpengine(
  pbxDir: string,
  ports: { ng: number; rtpMin: number; rtpMax: number },
  logFile: string,
  host: DaemonHost = {},
): Promise<Daemon> {
  mkdirSync(join(pbxDir, 'run'), { recursive: true });
  // Media and the NG control port share the address: Kamailio, on the same host, reaches it there, and
  // so does the readiness ping from the stack's process, which may live on another network host.
  const ip = host.listenIp ?? '127.0.0.1';
  const daemon = spawnDaemon(
    'rtpengine',
    'rtpengine',
    [
      '--config-file=none',
      '--table=-1',
      `--interface=${ip}`,
      `--listen-ng=${ip}:${ports.ng}`,
      `--port-min=${ports.rtpMin}`,
      `--port-max=${ports.rtpMax}`,
      '--foreground',
      '--log-stderr',
      `--pidfile=${join(pbxDir, 'run', 'rtpengine.pid')}`,
    ],
    logFile,
    undefined,
    false,
    host.wrap,
  );
  try {
    await waitFor('rtpengine', () => rtpenginePing(ip, ports.ng), 10_000, daemon);
    return daemon;
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
}
