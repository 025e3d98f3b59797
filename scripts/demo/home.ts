/**
 * The demo home: one directory outside the repository's tracked files that holds the whole demo
 * office (CA, directory, server database, PBX files), the provisioning bundles, the app profiles, the
 * customer's voice files and, when the session has no keychain, a private one. What has been done is
 * recorded in demo-state.json, so a second run reuses everything and starts in seconds.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export function defaultDemoHome(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(data, 'vermittlung-demo');
}

export interface DemoPaths {
  root: string;
  /** The office service's home: what `npm run admin -- --home` and `npm run stack -- --home` take. */
  office: string;
  bundles: string;
  profiles: string;
  speech: string;
  keyring: string;
  logs: string;
  run: string;
  state: string;
  /** While the demo runs: its PID, every PID it started, the desks' and the control page's URLs. */
  runFile: string;
}

export function demoPaths(root: string): DemoPaths {
  const dir = resolve(root);
  return {
    root: dir,
    office: join(dir, 'office'),
    bundles: join(dir, 'bundles'),
    profiles: join(dir, 'profiles'),
    speech: join(dir, 'speech'),
    keyring: join(dir, 'keyring'),
    logs: join(dir, 'logs'),
    run: join(dir, 'run'),
    state: join(dir, 'demo-state.json'),
    runFile: join(dir, 'run', 'demo.json'),
  };
}

export const DemoState = z.object({
  version: z.literal(1),
  /** Fixed at creation: the bundles carry these URLs, so every later run listens on the same ports. */
  ports: z.object({ wss: z.number().int(), server: z.number().int(), feed: z.number().int() }),
  /** Generated per demo home; the bundles are useless without them (kept in this file, mode 0600). */
  passphrases: z.record(z.string(), z.string()),
  /** `private`: the demo's own gnome-keyring under keyring/ (the session had none when it was made). */
  keychain: z.enum(['session', 'private']).optional(),
  contactsImported: z.boolean().default(false),
  notesSeeded: z.boolean().default(false),
  createdAt: z.string(),
});
export type DemoState = z.infer<typeof DemoState>;

export function readState(paths: DemoPaths): DemoState | undefined {
  if (!existsSync(paths.state)) return undefined;
  try {
    return DemoState.parse(JSON.parse(readFileSync(paths.state, 'utf8')));
  } catch {
    return undefined;
  }
}

export function writeState(paths: DemoPaths, state: DemoState): void {
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const tmp = `${paths.state}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, paths.state);
}

export const DemoRun = z.object({
  pid: z.number().int(),
  pids: z.record(z.string(), z.number().int()),
  desks: z.record(z.string(), z.string()),
  control: z.string(),
  stack: z.string(),
  readyAt: z.string(),
});
export type DemoRun = z.infer<typeof DemoRun>;

export function readRun(paths: DemoPaths): DemoRun | undefined {
  try {
    return DemoRun.parse(JSON.parse(readFileSync(paths.runFile, 'utf8')));
  } catch {
    return undefined;
  }
}

export function writeRun(paths: DemoPaths, run: DemoRun): void {
  mkdirSync(paths.run, { recursive: true });
  const tmp = `${paths.runFile}.tmp`;
  writeFileSync(tmp, JSON.stringify(run, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, paths.runFile);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
