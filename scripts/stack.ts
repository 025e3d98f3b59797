/**
 * `npm run stack -- --home DIR [--sip-domain NAME] [--no-server]`: Kamailio, rtpengine and the
 * central server for one office-service home, on loopback, until Ctrl-C or SIGTERM. Writes
 * DIR/stack.json. A new CRL (after `npm run admin -- user revoke`) reaches Kamailio by itself.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MissingPackageError, reloadCommand, startStack } from '../pbx/stack-runner.js';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    'sip-domain': { type: 'string' },
    'no-server': { type: 'boolean', default: false },
  },
});
if (!values.home) {
  console.error('usage: npm run stack -- --home DIR [--sip-domain NAME] [--no-server]');
  process.exit(2);
}

const log = (line: string) => console.log(`stack: ${line}`);
let stack;
try {
  stack = await startStack({
    home: resolve(values.home),
    sipDomain: values['sip-domain'],
    ...(values['no-server'] ? { server: false } : {}),
    log,
  });
} catch (error) {
  console.error(`stack: ${(error as Error).message}`);
  process.exit(error instanceof MissingPackageError ? 3 : 1);
}
const running = stack;
log(
  `ready: pbx ${running.info.pbxWss} (udp ${running.info.pbxUdp})${running.info.server ? `, server ${running.info.server}` : ''}; ${running.layout.stackFile}`,
);

log(`a new CRL is applied automatically; by hand: ${reloadCommand(running.info)}`);

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
