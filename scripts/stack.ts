/**
 * `npm run stack -- --home DIR [--sip-domain NAME] [--no-server] [--random-ports] [--trunk HOST:PORT] [--udp-peer IP[:PORT] …]`: Kamailio,
 * rtpengine and the central server for one office-service home, on loopback, until Ctrl-C or
 * SIGTERM. Writes DIR/stack.json. A new CRL (after `npm run admin -- user revoke`) and every change to
 * directory.json (`tenant add`, `user add`, …) reach the running Kamailio by themselves, without a restart. The WSS, server and calendar feed ports are the ones of the home's PBX, server and
 * calendar URLs (`ca init --pbx-url/--server-url/--calendar-url`), so the provisioning bundles and the feed URLs that
 * `calendar url` prints for this home work against it. `--database postgres://…`: the directory and
 * CRL live in that database (`npm run admin -- directory migrate`); the PBX follows its NOTIFY and the
 * stack's server runs on it, and the ports are those of the URLs in that database (the migration
 * renamed the home's directory.json). `--shm-mb N`: Kamailio's shared memory in MB (default 64; sizing
 * in docs/scale.md).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MissingPackageError, reloadCommand, startStack } from '../pbx/stack-runner.js';
import { readServiceSettings } from '../server/directory/service-settings.js';
import { serviceCalendarUrl, type ServiceSettings } from '../server/home/directory.js';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    'sip-domain': { type: 'string' },
    'no-server': { type: 'boolean', default: false },
    'random-ports': { type: 'boolean', default: false },
    trunk: { type: 'string' },
    'udp-peer': { type: 'string', multiple: true },
    database: { type: 'string' },
    'shm-mb': { type: 'string' },
  },
});

/** The port of a loopback URL from the home's service settings; other hosts are not ours to bind. */
function loopbackPort(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    return loopback && parsed.port ? Number(parsed.port) : undefined;
  } catch {
    return undefined;
  }
}
const shmMb = values['shm-mb'] === undefined ? undefined : Number(values['shm-mb']);
if (!values.home || (shmMb !== undefined && !(Number.isInteger(shmMb) && shmMb >= 16))) {
  console.error(
    'usage: npm run stack -- --home DIR [--sip-domain NAME] [--no-server] [--random-ports] [--trunk HOST:PORT] [--udp-peer IP[:PORT] …] [--database postgres://…] [--shm-mb N]',
  );
  process.exit(2);
}

const log = (line: string) => console.log(`stack: ${line}`);
const home = resolve(values.home);
let service: ServiceSettings | undefined;
try {
  service = await readServiceSettings(home, values.database);
} catch {
  // No directory yet: the stack itself names what is missing.
  service = undefined;
}
const fixedPorts = values['random-ports']
  ? {}
  : {
      wssPort: loopbackPort(service?.pbxUrl),
      serverPort: loopbackPort(service?.serverUrl),
      feedPort: loopbackPort(service ? serviceCalendarUrl(service) : undefined),
    };
let stack;
try {
  stack = await startStack({
    home,
    ...fixedPorts,
    sipDomain: values['sip-domain'],
    trunk: values.trunk,
    udpPeers: values['udp-peer'],
    ...(values.database ? { directoryDatabase: values.database } : {}),
    // Kamailio's shared memory, sized by the number of apps (docs/scale.md).
    ...(shmMb ? { shmMb } : {}),
    ...(values['no-server'] ? { server: false } : {}),
    log,
  });
} catch (error) {
  console.error(`stack: ${(error as Error).message}`);
  process.exit(error instanceof MissingPackageError ? 3 : 1);
}
const running = stack;
log(
  `ready: pbx ${running.info.pbxWss} (udp ${running.info.pbxUdp})${running.info.server ? `, server ${running.info.server}, calendar feeds ${running.info.feed}` : ''}; ${running.layout.stackFile}`,
);

log(`a new CRL is applied automatically; by hand: ${reloadCommand(running.info)}`);
log(
  `changes to directory.json are applied automatically, without a restart; by hand: ${reloadCommand(running.info, 'directory')}`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await running.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
