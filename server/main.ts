/**
 * `npm run server -- --home DIR [--port N] [--feed-port N] [--database postgres://…] [--host 127.0.0.1]`
 * Prints exactly one line on stdout when both listeners accept connections:
 * `Vermittlung-Server läuft: URL (Kalender-Feed: FEED-URL)`.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { stderrLog } from './log.js';
import { startSyncServer } from './server.js';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    port: { type: 'string', default: '0' },
    'feed-port': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    database: { type: 'string' },
  },
});
if (!values.home) {
  process.stderr.write('usage: npm run server -- --home DIR [--port N] [--feed-port N] [--database postgres://…]\n');
  process.exit(2);
}
function portOption(name: 'port' | 'feed-port'): number {
  const port = Number(values[name]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--${name} must be 0..65535, got ${values[name]}\n`);
    process.exit(2);
  }
  return port;
}
const port = portOption('port');
const feedPort = portOption('feed-port');
const log = stderrLog('server');
const server = await startSyncServer({
  home: resolve(values.home),
  port,
  feedPort,
  host: values.host,
  ...(values.database ? { database: values.database } : {}),
  log,
});
process.stdout.write(`Vermittlung-Server läuft: ${server.url} (Kalender-Feed: ${server.feedUrl})\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log('stopping', { signal });
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
