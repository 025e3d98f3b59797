/**
 * The back end the scale and soak benches load: a throw-away home with a directory of firms of
 * `teamSize` people each, a client certificate per user issued in bulk in process (bench/_sim-certs.ts),
 * a fresh PostgreSQL database on
 * 127.0.0.1:5432, `servers` server processes (server/main.ts) on it, and one Kamailio with rtpengine
 * from the stack runner. Also what the benches sample of every process: RSS, heap, file descriptors,
 * Kamailio's shared memory.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import WebSocket from 'ws';
import { kamcmd } from '../pbx/daemons.js';
import { issueSimCerts } from './_sim-certs.js';
import type { Directory } from '../server/home/directory.js';
import { createTestHome, type TestHome } from '../test/helpers/pbx-certs.js';
import { startServerProcess } from '../test/helpers/server-process.js';
import { freshDatabase } from '../test/helpers/sync-postgres.js';
import { startTestStack, type Stack } from '../test/helpers/stack.js';
import { SimApp } from './_sim-app.js';
import type { SimTls } from './_sim-sip.js';

export const DOMAIN = 'localhost';

export interface ServerProc {
  pid: number;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** A full garbage collection in the process, through its inspector, so its RSS holds what is alive. */
  gc(): Promise<void>;
}

export interface ScaleRig {
  home: TestHome;
  stack: Stack;
  databaseUrl: string;
  servers: ServerProc[];
  users: string[];
  tenantOf(user: string): string;
  teamOf(user: string): string[];
  tls(user: string): SimTls;
  /** A server process more, on the same home and database. */
  addServer(): Promise<ServerProc>;
  /** The app of user number `index`, on server `index % servers.length` (not started). */
  app(index: number, servers?: ServerProc[]): SimApp;
  close(): Promise<void>;
}

const pad = (n: number) => String(n).padStart(5, '0');

export async function startScaleRig(options: {
  users: number;
  teamSize: number;
  servers: number;
  shmMb: number;
}): Promise<ScaleRig> {
  const home = createTestHome();
  const users = Array.from({ length: options.users }, (_, i) => `sim${pad(i)}`);
  const index = new Map(users.map((u, i) => [u, i]));
  const tenantOf = (user: string) => `firm${pad(Math.floor(index.get(user)! / options.teamSize))}`;
  const teamOf = (user: string) => {
    const first = Math.floor(index.get(user)! / options.teamSize) * options.teamSize;
    return users.slice(first, first + options.teamSize).filter((u) => u !== user);
  };
  const tenants = [...new Set(users.map(tenantOf))];
  const directory: Directory = {
    version: 1,
    tenants: tenants.map((id, i) => ({ id, name: `Handwerksbetrieb ${i}`, numbers: [`+49301${pad(i)}`] })),
    users: users.map((id) => ({ id, name: `Sim ${id}`, role: 'teleworker' as const, tenants: [tenantOf(id)], certificates: [] })),
  };
  home.writeDirectory(directory);
  let certs: Map<string, SimTls>;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  try {
    certs = await issueSimCerts(home.caPem, readFileSync(home.layout.caKey, 'utf8'), users);
    db = await freshDatabase('scale');
  } catch (error) {
    rmSync(home.home, { recursive: true, force: true });
    throw error;
  }
  const servers: ServerProc[] = [];
  let stack: Stack | undefined;
  let closing = false;
  const addServer = async () => {
    // The inspector (on a free port, loopback only) lets the bench collect garbage before it reads RSS:
    // otherwise a process's start-up garbage, collected whenever V8 decides, outweighs what apps add.
    const started = await startServerProcess({ home: home.home, database: db.url, nodeArgs: ['--inspect=127.0.0.1:0'] });
    const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(started.output())?.[1];
    let stopping = false;
    // A server that dies under load must say why, not leave the apps timing out one by one.
    started.child.once('exit', (code, signal) => {
      if (!closing && !stopping)
        process.stderr.write(`server process ${started.pid} exited (${code ?? signal}):\n${started.output().slice(-3000)}\n`);
    });
    const proc: ServerProc = {
      pid: started.pid,
      url: started.url,
      stop: (signal) => {
        stopping = true;
        return started.stop(signal);
      },
      gc: () => {
        if (!inspector) return Promise.reject(new Error(`server process ${started.pid} has no inspector`));
        return collectGarbage(inspector);
      },
    };
    servers.push(proc);
    return proc;
  };
  const close = async () => {
    closing = true;
    await Promise.all(servers.map((s) => s.stop()));
    await stack?.stop();
    await db.drop().catch(() => undefined);
    rmSync(home.home, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < options.servers; i++) await addServer();
    stack = await startTestStack(home.home, { shmMb: options.shmMb, watchCrl: false });
  } catch (error) {
    await close();
    throw error;
  }
  const running = stack;
  return {
    home,
    stack: running,
    databaseUrl: db.url,
    servers,
    users,
    tenantOf,
    teamOf,
    tls: (user) => certs.get(user)!,
    addServer,
    app: (index, among = servers) => {
      const user = users[index]!;
      return new SimApp({
        user,
        tenant: tenantOf(user),
        team: teamOf(user),
        serverUrl: among[index % among.length]!.url,
        pbxWss: running.info.pbxWss,
        domain: DOMAIN,
        tls: certs.get(user)!,
      });
    },
    close,
  };
}

/** HeapProfiler.collectGarbage over the inspector protocol; resolves when V8 has answered. */
function collectGarbage(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no answer from the inspector at ${url} within 30 s`));
    }, 30_000);
    socket.once('open', () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { id?: number }).id !== 1) return;
      clearTimeout(timer);
      socket.close();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * The server processes' RSS together, MB, after a full garbage collection in each and a second for
 * V8 to hand the freed pages back (`settleMs`): what the processes hold, not when their collector last ran.
 */
export async function liveRssMb(servers: ServerProc[], settleMs = 1000): Promise<number> {
  await Promise.all(servers.map((s) => s.gc()));
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return servers.reduce((sum, s) => sum + rssMb(s.pid), 0);
}

/** Resident memory of one process, MB (VmRSS). */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** Open file descriptors of one process. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Kamailio's processes: the main one and its children (workers, TCP readers, timers). */
export function kamailioPids(mainPid: number): number[] {
  const pids = [mainPid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === mainPid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** `kamcmd core.shmmem`: the shared memory Kamailio has in use (real_used), MB. */
export async function kamailioShmMb(stack: Stack): Promise<number> {
  const out = await kamcmd(stack.info.ctlSocket, ['core.shmmem']);
  const used = /real_used:\s*(\d+)/.exec(out)?.[1];
  if (!used) throw new Error(`core.shmmem said no real_used: ${out}`);
  return Number(used) / 1024 / 1024;
}

/** Starts `apps` with at most `parallel` in flight; resolves with every registration time. */
export async function startApps(apps: SimApp[], parallel: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < apps.length) {
      const app = apps[next++]!;
      times.push((await app.start()).registerMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, apps.length) }, worker));
  return times;
}
