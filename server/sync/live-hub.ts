import type { WebSocket } from 'ws';
import type { LiveMessage } from '../../protocol/index.js';

interface LiveClient {
  socket: WebSocket;
  userId: string;
  serial: string;
  alive: boolean;
  /** The tenants the user served when the client was last indexed (add or reindex). */
  tenants: readonly string[];
}

/**
 * The server's connected live sockets. A commit anywhere (this process or another, via NOTIFY)
 * nudges the clients of the affected tenants to pull; the data itself always travels by pull.
 * Every commit of every process arrives here, so a nudge must cost the sockets of the tenants it
 * names, not every socket: the hub keeps a tenant → sockets index, built when a socket joins and
 * rebuilt when the directory changes (reindex).
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly byTenant = new Map<string, Set<LiveClient>>();
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
    const client: LiveClient = { socket, userId, serial, alive: true, tenants: [] };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.remove(client));
    socket.on('error', () => socket.terminate());
    if (!this.index(client)) return;
    // A fresh socket may have missed commits while it was away: nudge once at once.
    this.send(client, JSON.stringify({ type: 'changes', cursor } satisfies LiveMessage));
  }

  /** `tenants` null means every client (e.g. after the LISTEN connection was lost). */
  nudge(tenants: readonly string[] | null, cursor: string): void {
    const message = JSON.stringify({ type: 'changes', cursor } satisfies LiveMessage);
    for (const client of this.clientsOf(tenants)) {
      // The directory may have dropped the user since the last reindex; a lookup, so cheap to ask.
      if (!this.tenantsOf(client.userId)) {
        this.drop(client, 'no longer in the directory');
        continue;
      }
      this.send(client, message);
    }
  }

  /**
   * The directory changed: every socket's tenants are looked up anew (a tenant added or taken away,
   * a role that serves every firm), and the sockets of users who left it are closed.
   */
  reindex(): void {
    for (const client of [...this.clients]) {
      this.unindex(client);
      this.index(client);
    }
  }

  /** A document's bytes are stored: the clients of `tenants` fetch what waited for them. */
  blobStored(tenants: readonly string[], sha256: string): void {
    const message = JSON.stringify({ type: 'blob', sha256 } satisfies LiveMessage);
    for (const client of this.clientsOf(tenants)) this.send(client, message);
  }

  /** Drops sockets whose user may no longer connect (directory change, revocation). */
  prune(allowed: (userId: string, serial: string) => boolean): void {
    for (const client of [...this.clients]) {
      if (!allowed(client.userId, client.serial)) this.drop(client, 'access withdrawn');
    }
  }

  get size(): number {
    return this.clients.size;
  }

  /** Live sockets the index holds for `tenant` (what a nudge of it reaches). */
  socketsOf(tenant: string): number {
    return this.byTenant.get(tenant)?.size ?? 0;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
    this.byTenant.clear();
  }

  /**
   * The sockets of users serving any of `tenants` (null: every socket), each once however many of the
   * tenants its user serves; a copy, so a socket dropped while they are walked does not disturb the walk.
   */
  private clientsOf(tenants: readonly string[] | null): LiveClient[] {
    if (tenants === null) return [...this.clients];
    if (tenants.length === 1) return [...(this.byTenant.get(tenants[0]!) ?? [])];
    const union = new Set<LiveClient>();
    for (const tenant of tenants) for (const client of this.byTenant.get(tenant) ?? []) union.add(client);
    return [...union];
  }

  /** Files `client` under its user's tenants; false (and the socket closed) once the user has left the directory. */
  private index(client: LiveClient): boolean {
    const tenants = this.tenantsOf(client.userId);
    if (!tenants) {
      this.drop(client, 'no longer in the directory');
      return false;
    }
    client.tenants = tenants;
    for (const tenant of tenants) {
      let set = this.byTenant.get(tenant);
      if (!set) this.byTenant.set(tenant, (set = new Set()));
      set.add(client);
    }
    return true;
  }

  private unindex(client: LiveClient): void {
    for (const tenant of client.tenants) {
      const set = this.byTenant.get(tenant);
      set?.delete(client);
      if (set?.size === 0) this.byTenant.delete(tenant);
    }
    client.tenants = [];
  }

  private remove(client: LiveClient): void {
    this.unindex(client);
    this.clients.delete(client);
  }

  /** Out of the hub at once (no nudge, no reindex brings it back), closed once the peer agrees. */
  private drop(client: LiveClient, reason: string): void {
    this.remove(client);
    client.socket.close(4403, reason);
  }

  private send(client: LiveClient, message: string): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(message);
  }
}
