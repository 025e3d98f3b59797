/**
 * One app instance per person, each with its own profile under the demo home: the browser shell
 * (`electron/browser-shell/main.ts`, what `npm start` runs without the Electron runtime) as a process
 * of its own. The demo talks to it as the renderer does, through the host API with the shell's
 * per-launch token: the identity goes in through `identity.import` (the onboarding's call: bundle
 * check, passphrase, keychain), the contacts through `store.import` (the import dialog's call).
 */
import { join, resolve } from 'node:path';
import type { IdentityStatus } from '../../protocol/identity.js';
import { startChild, type Child } from './children.js';
import type { DemoPaths } from './home.js';
import type { DemoPerson } from './office.js';

const root = resolve(import.meta.dirname, '..', '..');

export interface DeskShell {
  person: DemoPerson;
  profile: string;
  /** `http://127.0.0.1:PORT/?token=…`: opening it in a browser is the desk. */
  url: string;
  origin: string;
  token: string;
  proc: Child;
  invoke<T = unknown>(method: string, input: unknown): Promise<T>;
}

export class HostApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
  ) {
    super(`${method}: ${code}: ${message}`);
  }
}

export async function startDeskShell(paths: DemoPaths, person: DemoPerson, env: NodeJS.ProcessEnv): Promise<DeskShell> {
  const profile = join(paths.profiles, person.id);
  const proc = await startChild(
    `desk-${person.id}`,
    process.execPath,
    [
      // tsx as a loader in this one process (not its CLI, which runs the app as a grandchild): the
      // PID the demo holds is the app's, so stopping it by PID cannot leave the app running.
      '--import',
      'tsx',
      join(root, 'electron', 'browser-shell', 'main.ts'),
      '--profile',
      profile,
      '--no-open',
    ],
    join(paths.logs, `desk-${person.id}.log`),
    { cwd: root, env, ready: /Vermittlung läuft im Browser: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/, timeoutMs: 60_000 },
  );
  const url = proc.match![1]!;
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token')!;
  const invoke = async <T>(method: string, input: unknown): Promise<T> => {
    const response = await fetch(`${parsed.origin}/api/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method, input }),
    });
    const body = (await response.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!body.ok) throw new HostApiError(method, body.error?.code ?? String(response.status), body.error?.message ?? '');
    return body.value as T;
  };
  return { person, profile, url, origin: parsed.origin, token, proc, invoke };
}

/**
 * The onboarding's import, when the profile has no working identity of this person yet (first run,
 * or a keyring that no longer holds the key): returns whether it imported.
 */
export async function onboard(desk: DeskShell, bundle: string, passphrase: string): Promise<boolean> {
  const status = await desk.invoke<IdentityStatus>('identity.status', null);
  if (status.state === 'active' && status.identity.user === desk.person.id) return false;
  const imported = await desk.invoke<IdentityStatus>('identity.import', { bundle, passphrase });
  if (imported.state !== 'active') throw new Error(`identity of ${desk.person.id} not active after import: ${imported.state}`);
  return true;
}

export interface ImportReport {
  imported: number;
  failed: number;
}

/** The contact import dialog's call, with the file's text (an Outlook CSV export). */
export function importContacts(desk: DeskShell, tenant: string, csv: string): Promise<ImportReport> {
  return desk.invoke<ImportReport>('store.import', { tenant, format: 'csv', csvProfile: 'outlook', text: csv });
}

/** The Electron runtime's binary when it is installed (as scripts/start.mjs finds it), else undefined. */
export async function electronBinary(): Promise<string | undefined> {
  const { existsSync, readFileSync } = await import('node:fs');
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

/**
 * An Electron window on a profile the demo has set up: its user-data directory is the profile, so the
 * stored identity and contacts are the ones imported above. The browser shell on that profile must
 * have been stopped first (one app per profile).
 */
export function startElectronDesk(paths: DemoPaths, person: DemoPerson, binary: string, env: NodeJS.ProcessEnv): Promise<Child> {
  return startChild(
    `electron-${person.id}`,
    binary,
    [root, `--user-data-dir=${join(paths.profiles, person.id)}`],
    join(paths.logs, `electron-${person.id}.log`),
    { cwd: root, env, group: true },
  );
}

/**
 * The apps started before the server did, and their sync may be waiting out a backoff of up to a
 * minute: ask each to sync now, again every second, until it reports the server reachable (not
 * until its backlog is sent: 1,000 fresh contacts take a while). Returns the desks still offline.
 */
export async function connectSync(desks: DeskShell[], timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const waiting = new Set(desks);
  let nudged = 0;
  while (waiting.size > 0 && Date.now() < deadline) {
    if (Date.now() - nudged > 1000) {
      nudged = Date.now();
      for (const desk of waiting) void desk.invoke('sync.now', null).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const desk of [...waiting]) {
      const status = await desk
        .invoke<{ state: string; live: boolean }>('sync.status', null)
        .catch(() => ({ state: 'offline', live: false }));
      // The live channel is up as soon as the server answers; a cycle may still be sending the backlog.
      if (status.state === 'online' || status.live) waiting.delete(desk);
    }
  }
  return [...waiting].map((desk) => desk.person.id);
}
