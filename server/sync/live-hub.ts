import type { WebSocket } from 'ws';
import type { LiveMessage } from '../../protocol/index.js';

interface LiveClient {
  socket: WebSocket;
  userId: string;
  serial: string;
  alive: boolean;
}

/**
 * The server's connected live sockets. A commit anywhere (this process or another, via NOTIFY)
 * nudges the clients of the affected tenants to pull; the data itself always travels by pull.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly tenantsOf: (userId: string) => readonly string[] | undefined,
    heartbeatMs = 30_000,
  ) {
    // Dead peers (a laptop lid closed) are found by ping/pong rather than waiting for TCP.
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) {
        if (!client.alive) {
          client.socket.terminate();
          continue;
        }
        client.alive = false;
        client.socket.ping();
      }
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  add(socket: WebSocket, userId: string, serial: string, cursor: string): void {
    const client: LiveClient = { socket, userId, serial, alive: true };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => socket.terminate());
    // A fresh socket may have missed commits while it was away: nudge once at once.
    this.send(client, { type: 'changes', cursor });
  }

  /** `tenants` null means every client (e.g. after the LISTEN connection was lost). */
  nudge(tenants: readonly string[] | null, cursor: string): void {
    for (const client of this.clients) {
      const mine = this.tenantsOf(client.userId);
      if (!mine) {
        client.socket.close(4403, 'no longer in the directory');
        continue;
      }
      if (tenants === null || tenants.some((t) => mine.includes(t))) this.send(client, { type: 'changes', cursor });
    }
  }

  /** A document's bytes are stored: the clients of `tenants` fetch what waited for them. */
  blobStored(tenants: readonly string[], sha256: string): void {
    for (const client of this.clients) {
      const mine = this.tenantsOf(client.userId);
      if (mine && tenants.some((t) => mine.includes(t))) this.send(client, { type: 'blob', sha256 });
    }
  }

  /** Drops sockets whose user may no longer connect (directory change, revocation). */
  prune(allowed: (userId: string, serial: string) => boolean): void {
    for (const client of this.clients) if (!allowed(client.userId, client.serial)) client.socket.close(4403, 'access withdrawn');
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
  }

  private send(client: LiveClient, message: LiveMessage): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(message));
  }
}
