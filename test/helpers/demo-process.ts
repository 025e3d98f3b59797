import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, demoPaths, readRun, type DemoRun } from '../../scripts/demo/home.js';

const root = join(import.meta.dirname, '..', '..');

export interface RunningDemo {
  child: ChildProcess;
  run: DemoRun;
  /** From the spawn of `npm run demo` until it printed "Demo bereit". */
  readyMs: number;
  output(): string;
  /** Ctrl-C as a terminal sends it: SIGINT to the demo's whole process group; resolves on exit. */
  stop(): Promise<number | null>;
  /** PIDs the demo named that are still alive, plus any process whose command line names the demo home. */
  leftovers(): string[];
}

/**
 * Processes on this machine whose command line or environment contains `text` (the demo home's path;
 * the private keyring's daemons have it only in their HOME), by /proc.
 */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes(text) || environ.includes(text)) found.push(`${entry} ${cmdline.slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * `npm run demo -- --home HOME --no-open` as a user starts it, in its own process group, with no
 * session keychain in reach (so the demo's private keyring is what runs, the same on every machine).
 */
export async function startDemo(home: string, timeoutMs = 180_000): Promise<RunningDemo> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const spawnedAt = Date.now();
  const child = spawn('npm', ['run', '--silent', 'demo', '--', '--home', home, '--no-open'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const group = child.pid!;
  const paths = demoPaths(home);
  /** Every PID the demo has named so far (customers come and go): read again just before stopping. */
  const known: Record<string, number> = {};
  const stop = async () => {
    Object.assign(known, readRun(paths)?.pids ?? {});
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-group, 'SIGINT');
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 30_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const deadline = Date.now() + timeoutMs;
  while (!/Demo bereit nach/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm run demo did not get ready (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const readyMs = Date.now() - spawnedAt;
  const run = readRun(paths);
  Object.assign(known, run?.pids ?? {});
  if (!run) {
    await stop();
    throw new Error(`npm run demo is ready but wrote no ${paths.runFile}:\n${output}`);
  }
  return {
    child,
    run,
    readyMs,
    output: () => output,
    stop,
    leftovers: () => [
      ...Object.entries(known)
        .filter(([, pid]) => alive(pid))
        .map(([name, pid]) => `${name} (pid ${pid})`),
      ...processesMentioning(paths.root),
    ],
  };
}
