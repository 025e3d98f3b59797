/**
 * `pbx-reload.mjs --home DIR`: run by vermittlung-pbx-reload.service whenever the path unit sees the
 * CRL, the server certificate, directory.json or firm-schedules.json change (pbx-reload.ts). With the
 * directory in PostgreSQL it reloads the kamailio unit's copies of it, as that unit's ExecStartPre recorded.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { homeLayout } from '../../server/home/layout.js';
import { layoutFor, recordedSource } from './pbx-directory-source.js';
import { reloadPbx } from './pbx-reload.js';

const { values } = parseArgs({ options: { home: { type: 'string' } } });
if (!values.home) {
  process.stderr.write('usage: pbx-reload.mjs --home DIR\n');
  process.exit(2);
}
const home = homeLayout(resolve(values.home));

try {
  const line = await reloadPbx(layoutFor(home, recordedSource(home)), (text) => process.stderr.write(`${text}\n`));
  process.stdout.write(`${line}\n`);
} catch (error) {
  // A directory.json half edited by hand, or Kamailio not up: the next change (or start) applies it.
  process.stderr.write(`PBX not reloaded: ${(error as Error).message}\n`);
  process.exit(1);
}
