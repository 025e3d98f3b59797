/**
 * `pbx-config.mjs kamailio|rtpengine --home DIR [--database=URL]`: the PBX units' ExecStartPre
 * (pbx-config.ts). With a database that holds the directory, Kamailio's copies of its directory and
 * CRL are written first and rendered from (pbx-directory-source.ts); empty or absent: the home's files.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DirectoryMirror, mirroredFiles } from '../../pbx/directory-mirror.js';
import { homeLayout } from '../../server/home/layout.js';
import { pbxEnvironment, renderKamailio, renderRtpengine } from './pbx-config.js';
import { chooseSource, recordSource, redact } from './pbx-directory-source.js';

const { values, positionals } = parseArgs({
  options: { home: { type: 'string' }, database: { type: 'string' } },
  allowPositionals: true,
});
const which = positionals[0];
if (!values.home || (which !== 'kamailio' && which !== 'rtpengine')) {
  process.stderr.write('usage: pbx-config.mjs kamailio|rtpengine --home DIR [--database=URL]\n');
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);
try {
  const env = pbxEnvironment(process.env);
  const home = resolve(values.home);
  let file: string;
  if (which === 'kamailio') {
    const layout = homeLayout(home);
    const database = values.database?.trim() || undefined;
    const source = await chooseSource(layout, database);
    if (source === 'postgres') await (await DirectoryMirror.open(database!, mirroredFiles(layout), say)).close();
    recordSource(layout, source);
    file = renderKamailio(home, env, source);
    process.stdout.write(`directory and CRL: ${source === 'postgres' ? `from ${redact(database!)}` : "the home's files"}\n`);
  } else {
    file = renderRtpengine(home, env);
  }
  process.stdout.write(`rendered ${file} (ip ${env.ip})\n`);
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exit(1);
}
