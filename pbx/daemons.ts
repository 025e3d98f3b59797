import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { createServer, connect } from 'node:net';

/** The Debian packages the stack needs, and a file each one ships, so a missing one is named. */
export const REQUIRED_PACKAGES = [
  { name: 'kamailio', file: '/usr/sbin/kamailio' },
  { name: 'kamailio-tls-modules', file: '/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so' },
  { name: 'kamailio-websocket-modules', file: '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so' },
  { name: 'kamailio-presence-modules', file: '/usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so' },
  { name: 'rtpengine-daemon', file: '/usr/bin/rtpengine' },
] as const;

export interface Daemon {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A command line run on another host: `ip netns exec NS …` keeps the PID the daemon's own. */
export type CommandWrap = (command: string, args: string[]) => [string, string[]];

/** Where the stack's daemons run: the address they listen on (default 127.0.0.1) and how they are started there. */
export interface DaemonHost {
  listenIp?: string;
  wrap?: CommandWrap;
}

/** Starts a daemon in the foreground with both pipes drained into its log file. */
export function spawnDaemon(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  onLine?: (line: string) => void,
  /** The daemon forks workers: give it its own process group so SIGKILL reaches them all, as a crash would. */
  group = false,
  wrap?: CommandWrap,
  env?: NodeJS.ProcessEnv,
): Daemon {
  const log = createWriteStream(logFile, { flags: 'a' });
  const [file, argv] = wrap ? wrap(command, args) : [command, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: group, ...(env ? { env } : {}) });
  if (child.pid === undefined) throw new Error(`${command} could not be started`);
  let pending = '';
  const onData = (chunk: Buffer) => {
    // Output can still arrive after 'exit' (the pipes drain later): never write to a closed log.
    if (!log.writableEnded) log.write(chunk);
    if (!onLine) return;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.once('close', () => log.end());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid;
  return {
    name,
    child,
    pid,
    logFile,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const target = group && signal === 'SIGKILL' ? -pid : pid;
      try {
        process.kill(target, signal);
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(group ? -pid : pid, 'SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
      if (group) {
        // Workers that outlive their main process would keep the ports; reap the whole group.
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** A port free for both TCP and UDP (Kamailio's TLS and UDP listeners must not collide with anyone). */
export async function freePort(kind: 'tcp' | 'udp' | 'both'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = kind === 'udp' ? await freeUdpPort() : await freeTcpPort();
    if (kind !== 'both') return port;
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port found');
}

/** rtpengine's NG protocol `ping`; resolves true on `pong`. */
export function rtpenginePing(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const cookie = `c${Math.random().toString(36).slice(2, 10)}`;
    const timer = setTimeout(() => {
      socket.close();
      resolve(false);
    }, timeoutMs);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message.toString().includes('pong'));
    });
    socket.on('error', () => {
      clearTimeout(timer);
      socket.close();
      resolve(false);
    });
    socket.send(`${cookie} d7:command4:pinge`, port, host);
  });
}

export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function kamcmd(ctlSocket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kamcmd', ['-s', `unix:${ctlSocket}`, ...args], { timeout: 5000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kamcmd ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, daemon?: Daemon): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void daemon?.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${what} exited before it was ready (log: ${daemon?.logFile})`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms${daemon ? ` (log: ${daemon.logFile})` : ''}`);
}
