import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Network namespaces as separate "hosts" for the chaos suite: each one is joined to the test's own
 * namespace by a veth pair (a /30 of its own), so a link can be cut and restored with
 * `ip link set … down/up` while the processes on both ends keep running. Names are unique per run,
 * and destroy() runs on exit as well, so a failed test leaves no namespace behind.
 */
export interface Host {
  /** The namespace's name (`ip netns exec NAME …`). */
  name: string;
  /** The address of the host inside its namespace. */
  ip: string;
  /** The address of this (the test's) end of the link. */
  peerIp: string;
  /** The veth device on the test's side. */
  device: string;
  /** A command line that runs `command` inside the namespace. */
  wrap(command: string, args: string[]): [string, string[]];
  /** Cuts the link (both directions): packets in flight are lost, connections hang until restored or timed out. */
  cut(): void;
  restore(): void;
}

export interface Hosts {
  hosts: Record<string, Host>;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** Why namespaces cannot be made here, or undefined when they can (root and a working `ip netns`). */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add); run the chaos suite as root';
  try {
    ip('netns', 'list');
    return undefined;
  } catch (error) {
    return `ip netns does not work here: ${(error as Error).message.split('\n')[0]}`;
  }
}

const live = new Set<() => void>();
process.once('exit', () => {
  for (const destroy of [...live]) destroy();
});

export function createHosts(names: string[]): Hosts {
  const reason = netnsUnavailable();
  if (reason) throw new Error(reason);
  const run = randomBytes(3).toString('hex');
  // 10.231.x.0/24 per run; each host a /30 within it. A clash with another run is a 1 in 256 chance
  // per run and shows as "File exists" from ip addr, not as a silent mix-up.
  const third = 1 + Math.floor(Math.random() * 250);
  const hosts: Record<string, Host> = {};
  const made: Array<{ ns: string; device: string }> = [];
  const destroy = () => {
    live.delete(destroy);
    for (const { ns, device } of made.splice(0)) {
      for (const args of [
        ['link', 'del', device],
        ['netns', 'del', ns],
      ]) {
        try {
          ip(...args);
        } catch {
          // already gone (deleting the namespace removes its end of the pair, and with it ours)
        }
      }
    }
  };
  live.add(destroy);
  try {
    names.forEach((name, i) => {
      const ns = `vc${run}-${name}`.slice(0, 15);
      const device = `vc${run}${i}`;
      const inner = `vc${run}${i}n`;
      const base = 4 * i;
      const hostIp = `10.231.${third}.${base + 2}`;
      const peerIp = `10.231.${third}.${base + 1}`;
      ip('netns', 'add', ns);
      made.push({ ns, device });
      ip('link', 'add', device, 'type', 'veth', 'peer', 'name', inner);
      ip('link', 'set', inner, 'netns', ns);
      ip('addr', 'add', `${peerIp}/30`, 'dev', device);
      ip('link', 'set', device, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${hostIp}/30`, 'dev', inner);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', inner, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      // Everything else through our end: peers here may answer from another of this side's addresses
      // (an ICE candidate, a SIP Contact); this side delivers what is addressed to it and forwards nothing.
      ip('netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', peerIp);
      hosts[name] = {
        name: ns,
        ip: hostIp,
        peerIp,
        device,
        // `ip netns exec` execs the command: the PID stays the one of the process under test.
        wrap: (command, args) => ['ip', ['netns', 'exec', ns, command, ...args]],
        cut: () => void ip('link', 'set', device, 'down'),
        restore: () => {
          ip('link', 'set', device, 'up');
          // The inner end lost its carrier with ours; bringing ours up brings it back.
        },
      };
    });
  } catch (error) {
    destroy();
    throw error;
  }
  return { hosts, destroy };
}
