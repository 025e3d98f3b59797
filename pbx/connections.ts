import { kamcmd } from './daemons.js';

/** `kamcmd htable.dump NAME` prints name/value pairs; the keys here are "ip:port", the values tokens. */
export function parseHtableDump(output: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const match of output.matchAll(/name:\s*(\S+)\s*\n\s*value:\s*(\S+)/g)) entries.set(match[1]!, match[2]!);
  return entries;
}

/**
 * Closes the WebSockets whose certificate CN is one of `users` (Kamailio keeps established TLS
 * connections on the settings they were accepted with); returns how many. The htables `wsid`
 * (peer → CN) and `wscon` (peer → connection id) are filled by kamailio.cfg on each connection.
 */
export async function closeConnectionsOf(
  ctlSocket: string,
  users: Set<string>,
  reason: string,
  say: (line: string) => void,
): Promise<number> {
  if (users.size === 0) return 0;
  const cns = parseHtableDump(await kamcmd(ctlSocket, ['htable.dump', 'wsid']));
  const ids = parseHtableDump(await kamcmd(ctlSocket, ['htable.dump', 'wscon']));
  let closed = 0;
  for (const [peer, cn] of cns) {
    const id = ids.get(peer);
    if (!users.has(cn) || id === undefined) continue;
    try {
      await kamcmd(ctlSocket, ['ws.close', id, '1008', reason]);
      closed++;
    } catch (error) {
      say(`could not close connection ${id} of ${cn}: ${(error as Error).message}`);
    }
  }
  return closed;
}

/** Drops the registrations of users removed from the directory, so they are gone at once, not at the next refresh. */
export async function dropRegistrations(ctlSocket: string, users: Iterable<string>): Promise<void> {
  for (const id of users) {
    try {
      await kamcmd(ctlSocket, ['ul.rm', 'location', id]);
    } catch (error) {
      // No contact registered: nothing to drop.
      if (!/not found|404/i.test((error as Error).message)) throw error;
    }
  }
}
