import { join } from 'node:path';
import { startProcess, type Started } from './processes.js';

const root = join(import.meta.dirname, '..', '..');

export interface RunningShell extends Started {
  url: string;
  origin: string;
}

/** Runs the browser shell as its own process for one profile directory, the way `npm start` does. */
export async function startShell(
  profileDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningShell> {
  const started = await startProcess(
    process.execPath,
    [
      join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(root, 'electron', 'browser-shell', 'main.ts'),
      '--profile',
      profileDir,
      '--no-open',
      ...extraArgs,
    ],
    /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/,
    { cwd: root, env: { ...env, CI: '1' } },
  );
  const url = started.match[1]!;
  return { ...started, url, origin: new URL(url).origin };
}
