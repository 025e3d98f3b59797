/** `pbx-config.mjs kamailio|rtpengine --home DIR`: the PBX units' ExecStartPre (pbx-config.ts). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pbxEnvironment, renderKamailio, renderRtpengine } from './pbx-config.js';

const { values, positionals } = parseArgs({ options: { home: { type: 'string' } }, allowPositionals: true });
const which = positionals[0];
if (!values.home || (which !== 'kamailio' && which !== 'rtpengine')) {
  process.stderr.write('usage: pbx-config.mjs kamailio|rtpengine --home DIR\n');
  process.exit(2);
}
try {
  const env = pbxEnvironment(process.env);
  const file = which === 'kamailio' ? renderKamailio(resolve(values.home), env) : renderRtpengine(resolve(values.home), env);
  process.stdout.write(`rendered ${file} (ip ${env.ip})\n`);
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exit(1);
}
