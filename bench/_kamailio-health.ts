/**
 * What the scale bench checks of its Kamailio besides the figures: that the process may open enough
 * descriptors for every app's connection (it inherits the limit of whoever starts it — under systemd
 * that is LimitNOFILE, 1,024 by default), and, at the end, which errors its log holds, so a stalled
 * run names Kamailio's complaint instead of only the app's timeout.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Stack } from '../test/helpers/stack.js';

/** Descriptors Kamailio needs besides the apps' connections: listeners, pipes between its processes, logs. */
const KAMAILIO_FDS_BESIDES_APPS = 256;

export function kamailioHealth(stack: Stack) {
  const { pids, logs } = stack.info;
  return {
    checkFdLimit(apps: number): void {
      const limits = readFileSync(`/proc/${pids.kamailio}/limits`, 'utf8');
      const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Infinity);
      if (soft < apps + KAMAILIO_FDS_BESIDES_APPS)
        throw new Error(`Kamailio may open ${soft} files: ${apps} apps' connections need ${apps + KAMAILIO_FDS_BESIDES_APPS}`);
    },
    /** One line per distinct error or critical message of the log (its text without process and call prefix), most frequent first. */
    summary(limit = 8): string {
      if (!existsSync(logs.kamailio)) return 'Kamailio log: gone';
      const counts = new Map<string, number>();
      for (const line of readFileSync(logs.kamailio, 'utf8').split('\n')) {
        const at = line.search(/ (ERROR|CRITICAL|ALERT|BUG):/);
        if (at < 0) continue;
        // The message without the call's prefix, addresses, pointers and numbers, so one cause counts as one line.
        const key = line
          .slice(at + 1)
          .replace(/\{[^}]*\} /, '')
          .replace(/0x[0-9a-f]+|\d+(\.\d+)*/g, 'N')
          .slice(0, 200);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      if (counts.size === 0) return 'Kamailio log: no errors';
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit);
      return `Kamailio log errors:\n${top.map(([text, n]) => `  ${n}× ${text}`).join('\n')}`;
    },
  };
}
