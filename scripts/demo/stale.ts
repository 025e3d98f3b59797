/**
 * A demo that was killed outright (SIGKILL, a closed terminal without a shell to pass SIGHUP on) could
 * not stop what it had started. The next run stops those processes first, by the PIDs the dead run
 * recorded, and only where the process still names this demo home (its command line, or the private
 * keyring's HOME), so a PID the system has since given to another program is left alone.
 */
import { readFileSync } from 'node:fs';
import { alive, readRun, type DemoPaths } from './home.js';

function mentions(pid: number, text: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return cmdline.includes(text) || environ.includes(text);
  } catch {
    return false;
  }
}

/** Stops what a dead earlier run left behind; returns the names of the processes it stopped. */
export async function reapStaleRun(paths: DemoPaths): Promise<string[]> {
  const run = readRun(paths);
  if (!run || alive(run.pid)) return [];
  const stale = Object.entries(run.pids).filter(([name, pid]) => name !== 'demo' && alive(pid) && mentions(pid, paths.root));
  for (const [, pid] of stale) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (stale.some(([, pid]) => alive(pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [, pid] of stale) if (alive(pid)) process.kill(pid, 'SIGKILL');
  return stale.map(([name, pid]) => `${name} (${pid})`);
}
