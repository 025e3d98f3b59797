/**
 * `npm run server -- --home DIR [--port N] [--feed-port N] [--database postgres://…] [--host 127.0.0.1]
 *   [--max-document-mb N]`
 * Prints exactly one line on stdout when both listeners accept connections:
 * `Vermittlung-Server läuft: URL (Kalender-Feed: FEED-URL)`.
 * Without `--port`/`--feed-port` each listener takes the port of the home's server or calendar URL
 * (7444 and 7445 unless `ca init` was told otherwise): the ports the bundles and feed links name.
 * `0` asks for a free port (tests).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { serviceCalendarUrl } from './home/directory.js';
import { readServiceSettings } from './directory/service-settings.js';
import { stderrLog } from './log.js';
import { startSyncServer } from './server.js';
import { smtpSettingsFromFlags } from './smtp/smtp-settings.js';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    port: { type: 'string' },
    'feed-port': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    database: { type: 'string' },
    /** The largest document (scan, photo) accepted, in MB; default 50. */
    'max-document-mb': { type: 'string' },
    /** A directory for the documents' bytes instead of the database. */
    'blob-dir': { type: 'string' },
    /** The office's SMTP relay for e-mailing forwarded scans (docs/server-install.md). */
    'smtp-host': { type: 'string' },
    'smtp-port': { type: 'string' },
    'smtp-from': { type: 'string' },
    'smtp-tls': { type: 'string' },
    'smtp-user': { type: 'string' },
    'smtp-ca': { type: 'string' },
  },
});
if (!values.home) {
  process.stderr.write(
    'usage: npm run server -- --home DIR [--port N] [--feed-port N] [--database postgres://…] [--max-document-mb N] [--blob-dir DIR]\n' +
      '       [--smtp-host HOST --smtp-from ADDRESS [--smtp-port N] [--smtp-tls implicit|starttls|none] [--smtp-user U] [--smtp-ca FILE]]\n',
  );
  process.exit(2);
}
const home = resolve(values.home);

/** The port a URL of the home names (443 when it names none). */
function urlPort(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : 443;
}

async function portOption(name: 'port' | 'feed-port'): Promise<number> {
  const given = values[name];
  if (given === undefined) {
    let service;
    try {
      service = await readServiceSettings(home, values.database);
    } catch (error) {
      process.stderr.write(`cannot read the home's directory for the default --${name}: ${(error as Error).message}\n`);
      process.exit(2);
    }
    if (!service) {
      process.stderr.write(`the home has no server settings (run \`ca init\` first) or give --${name}\n`);
      process.exit(2);
    }
    return urlPort(name === 'port' ? service.serverUrl : serviceCalendarUrl(service));
  }
  const port = Number(given);
  if (given.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--${name} must be 0..65535, got ${given}\n`);
    process.exit(2);
  }
  return port;
}
const maxDocumentMb = values['max-document-mb'] === undefined ? undefined : Number(values['max-document-mb']);
if (maxDocumentMb !== undefined && !(Number.isInteger(maxDocumentMb) && maxDocumentMb >= 1 && maxDocumentMb <= 4096)) {
  process.stderr.write(`--max-document-mb must be a whole number from 1 to 4096, got ${values['max-document-mb']}\n`);
  process.exit(2);
}
let smtp;
try {
  smtp = smtpSettingsFromFlags(values);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const port = await portOption('port');
const feedPort = await portOption('feed-port');
const log = stderrLog('server');
const server = await startSyncServer({
  home,
  port,
  feedPort,
  host: values.host,
  ...(values.database ? { database: values.database } : {}),
  ...(maxDocumentMb ? { maxBlobBytes: maxDocumentMb * 1024 * 1024 } : {}),
  ...(values['blob-dir'] ? { blobDir: resolve(values['blob-dir']) } : {}),
  ...(smtp ? { smtp } : {}),
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
