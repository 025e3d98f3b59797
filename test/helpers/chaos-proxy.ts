import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A userspace TCP proxy standing in for `tc netem` (which this machine lacks): every chunk is held
 * `delayMs` (order kept) in both directions, `resetRate` of new connections are reset at once, and
 * cut() drops every open connection and refuses new ones until restore().
 */
export interface ChaosProxy {
  port: number;
  url(scheme: string): string;
  delayMs: number;
  resetRate: number;
  cut(): void;
  restore(): void;
  /** Connections accepted / reset by chance / dropped by a cut, so far. */
  stats(): { accepted: number; reset: number; dropped: number };
  close(): Promise<void>;
}

export async function startChaosProxy(
  target: { host: string; port: number },
  options: { delayMs?: number; resetRate?: number } = {},
): Promise<ChaosProxy> {
  const open = new Set<Socket>();
  const stats = { accepted: 0, reset: 0, dropped: 0 };
  let cut = false;
  const delayed = (to: Socket) => {
    // Each chunk leaves no earlier than delayMs after it came and never before the one ahead of it.
    let last = 0;
    return (chunk: Buffer) => {
      const due = Math.max(Date.now() + proxy.delayMs, last);
      last = due;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, due - Date.now());
    };
  };
  const server: Server = createServer((client) => {
    if (cut || Math.random() < proxy.resetRate) {
      if (!cut) stats.reset++;
      client.resetAndDestroy();
      return;
    }
    stats.accepted++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('data', delayed(upstream));
    upstream.on('data', delayed(client));
    // An end is passed on after the data queued ahead of it.
    client.on('end', () => setTimeout(() => upstream.end(), proxy.delayMs + 1));
    upstream.on('end', () => setTimeout(() => client.end(), proxy.delayMs + 1));
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const proxy: ChaosProxy = {
    port,
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    delayMs: options.delayMs ?? 0,
    resetRate: options.resetRate ?? 0,
    cut() {
      cut = true;
      for (const socket of open) {
        if (!socket.destroyed) stats.dropped++;
        socket.resetAndDestroy();
      }
      open.clear();
    },
    restore() {
      cut = false;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
