/**
 * `npm start` without the Electron runtime: the core services plus the browser shell for one
 * profile. Options: --profile DIR, --port N, --renderer DIR, --no-open.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../core/composition.js';
import { startBrowserShell } from './server.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    port: { type: 'string' },
    renderer: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
  },
});

const root = resolve(import.meta.dirname, '..', '..');
const profileDir = resolve(values.profile ?? process.env.VERMITTLUNG_PROFILE ?? join(homedir(), '.config', 'Vermittlung'));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const core = createCore({ profileDir, appVersion: version, shell: 'browser' });
const shell = await startBrowserShell({
  core,
  rendererDir: resolve(values.renderer ?? join(root, 'dist', 'renderer')),
  port: values.port ? Number(values.port) : 0,
});

// The one line tests and people read to find the app.
console.log(`Vermittlung läuft im Browser: ${shell.url}`);

if (!values['no-open'] && process.env.CI === undefined && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) {
  const opener = spawn('xdg-open', [shell.url], { stdio: 'ignore', detached: true });
  opener.on('error', () => undefined);
  opener.unref();
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await shell.close();
  await core.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
