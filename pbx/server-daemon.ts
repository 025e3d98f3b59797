import { join } from 'node:path';
import { spawnDaemon, waitFor, type Daemon } from './daemons.js';

export interface RunningServer {
  daemon: Daemon;
  server: string;
  feed: string;
}

/** The central server (server/main.ts under tsx) on the given ports; resolves once it accepts connections. */
export async function startCentralServer(options: {
  root: string;
  home: string;
  logDir: string;
  port: number;
  feedPort: number;
  /** The server's PostgreSQL database (`--database`), when the directory lives there. */
  database?: string;
}): Promise<RunningServer> {
  let found: { server: string; feed: string } | undefined;
  const daemon = spawnDaemon(
    'server',
    process.execPath,
    [
      join(options.root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(options.root, 'server', 'main.ts'),
      '--home',
      options.home,
      '--port',
      String(options.port),
      '--feed-port',
      String(options.feedPort),
      ...(options.database ? ['--database', options.database] : []),
    ],
    join(options.logDir, 'server.log'),
    (line) => {
      // server/main.ts prints exactly one line when it accepts connections.
      const match = /läuft: (https:\/\/\S+) \(Kalender-Feed: (https:\/\/\S+)\)/.exec(line);
      if (match) found ??= { server: match[1]!, feed: match[2]! };
    },
  );
  // Compiling the server with tsx and starting PGlite takes 70 s and more on a loaded 2-core machine.
  await waitFor('central server', () => Promise.resolve(found !== undefined), 150_000, daemon);
  return { daemon, ...found! };
}
