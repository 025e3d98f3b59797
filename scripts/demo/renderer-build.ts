/**
 * The desks serve the built renderer (dist/renderer). It is built when it is missing or older than
 * its sources, so a second demo run does not spend seconds on an unchanged build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

export function rendererStale(): boolean {
  const index = join(root, 'dist', 'renderer', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return ['renderer', 'protocol'].some((dir) => newest(join(root, dir)) > built);
}

/** Builds the renderer when needed; throws with the build's output when it fails. */
export function ensureRenderer(say: (line: string) => void): void {
  if (!rendererStale()) return;
  say('Oberfläche wird gebaut (npm run build:renderer) …');
  const build = spawnSync('npm', ['run', '--silent', 'build:renderer'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:renderer failed:\n${build.stdout}${build.stderr}`);
}
