#!/usr/bin/env node
// `npm start`: build, then the Electron shell when its runtime is installed, else the browser shell.
// Never triggers Electron's binary download (requiring the `electron` package would).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const binary = join(base, relative);
  return existsSync(binary) ? binary : undefined;
}

const electron = electronBinary();
const child = electron
  ? spawn(electron, [root, ...args], { cwd: root, stdio: 'inherit' })
  : (console.log(
      'Electron-Laufzeit nicht installiert – Vermittlung startet im Browser-Modus (Electron runtime not installed, starting the browser shell).',
    ),
    spawn(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'electron', 'browser-shell', 'main.ts'), ...args],
      {
        cwd: root,
        stdio: 'inherit',
      },
    ));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
