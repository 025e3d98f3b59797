import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Processes as /proc shows them: for "no process leaked" and "memory and fds back where they were". */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** One letter as in ps: R, S, D, Z (a zombie: exited, not yet reaped) … */
  state: string;
  command: string;
}

export function processTable(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command in parentheses may itself hold spaces and parentheses: the ppid follows the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), ppid: Number(ppid), state: state!, command });
    } catch {
      // exited while listed
    }
  }
  return out;
}

export function childrenOf(pid: number): number[] {
  return processTable()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}

/** Every process below `pid` (children, their children, …). */
export function descendantsOf(pid: number, table = processTable()): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  let layer = [pid];
  while (layer.length > 0) {
    const next = table.filter((p) => layer.includes(p.ppid));
    found.push(...next);
    layer = next.map((p) => p.pid);
  }
  return found;
}

export function alive(pid: number): boolean {
  try {
    // A zombie still answers signal 0; its state says it is gone.
    return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes still running after ${timeoutMs} ms: ${pids.filter(alive).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resident memory (MB) and open file descriptors of a process. */
export function resources(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/**
 * A full garbage collection in this process before its memory is compared, so the figure is what
 * stays alive rather than where the collector happened to be. Needs no --expose-gc on the command line.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
