/**
 * The processes the demo starts itself (browser shells, Electron, the customer's baresip): each one
 * logs into the demo home, is known by its PID, and is stopped by that PID, SIGKILL after a grace
 * period. The stack's daemons are the stack runner's (pbx/stack-runner.ts) and stopped by it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface Child {
  name: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolve once a line of output matches; the match is returned. */
  ready?: RegExp;
  timeoutMs?: number;
  /** Own process group, so a process that forks (Electron) is stopped with its children. */
  group?: boolean;
}

export async function startChild(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: ChildOptions = {},
): Promise<Child & { match?: RegExpMatchArray }> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  if (child.pid === undefined) {
    log.end();
    throw new Error(`${command} could not be started`);
  }
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (gone()) return;
    const target = options.group ? -pid : pid;
    try {
      process.kill(target, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (!gone()) process.kill(target, 'SIGKILL');
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  let output = '';
  let resolveMatch: ((match: RegExpMatchArray) => void) | undefined;
  const onData = (chunk: Buffer) => {
    if (!log.writableEnded) log.write(chunk);
    if (!options.ready || !resolveMatch) return;
    output += chunk.toString();
    const match = output.match(options.ready);
    if (match) resolveMatch(match);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.once('close', () => log.end());
  const started: Child = { name, pid, child, exited, stop };
  if (!options.ready) return started;
  try {
    const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready within ${options.timeoutMs ?? 30_000} ms (log: ${logFile})`)),
        options.timeoutMs ?? 30_000,
      );
      resolveMatch = (match) => {
        clearTimeout(timer);
        resolveMatch = undefined;
        resolve(match);
      };
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready (log: ${logFile})`));
      });
    });
    return { ...started, match };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
}
