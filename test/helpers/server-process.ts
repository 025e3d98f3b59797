import { join } from 'node:path';
import { startProcess } from './processes.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * What `npm run server` runs (server/main.ts), as one process: `node --import tsx` rather than tsx's
 * CLI, whose child process a SIGKILL of the CLI would leave running. Resolves once it listens, with
 * its sync URL. `port` 0 = a free port; the calendar feed always takes a free one. `nodeArgs` go to
 * Node itself (the scale bench's `--inspect`).
 */
export async function startServerProcess(options: { home: string; database: string; port?: number; nodeArgs?: string[] }) {
  const args = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    join(ROOT, 'server', 'main.ts'),
    '--home',
    options.home,
    '--database',
    options.database,
  ];
  const started = await startProcess(
    process.execPath,
    [...args, '--port', String(options.port ?? 0), '--feed-port', '0'],
    /Vermittlung-Server läuft: (https:\/\/\S+)/,
    { cwd: ROOT },
  );
  return { ...started, url: started.match[1]! };
}
