/**
 * The app keeps the key of each imported identity in the OS keychain and refuses to store it in the
 * clear (docs/provisioning.md). On a desktop session the Secret Service (GNOME Keyring, KWallet) is
 * that keychain and the demo uses it. A machine without one (a server, SSH, a container) gets a
 * private gnome-keyring of the demo's own: a D-Bus session bus and gnome-keyring-daemon, both started
 * by the demo and stopped by PID, with the keyring file and a random unlock password in the demo home,
 * so the next run unlocks the same keyring and the profiles' stored identities open again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { alive } from './home.js';

export interface DemoKeychain {
  kind: 'session' | 'private';
  /** The environment for the app processes (the private bus's address, or the session's own). */
  env: NodeJS.ProcessEnv;
  /** The PIDs to stop (private keychain only). */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

function dbusSend(env: NodeJS.ProcessEnv, args: string[]): { ok: boolean; out: string } {
  const run = spawnSync('dbus-send', ['--session', '--print-reply', ...args], { env, encoding: 'utf8', timeout: 3000 });
  return { ok: run.status === 0, out: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/** Whether this session's Secret Service answers and has an unlocked default collection. */
export function sessionKeychainUsable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.DBUS_SESSION_BUS_ADDRESS) return false;
  const locked = dbusSend(env, [
    '--dest=org.freedesktop.secrets',
    '/org/freedesktop/secrets/aliases/default',
    'org.freedesktop.DBus.Properties.Get',
    'string:org.freedesktop.Secret.Collection',
    'string:Locked',
  ]);
  return locked.ok && locked.out.includes('boolean false');
}

async function waitUnlocked(env: NodeJS.ProcessEnv): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ping = dbusSend(env, [
      '--dest=org.freedesktop.secrets',
      '/org/freedesktop/secrets/collection/login',
      'org.freedesktop.DBus.Properties.Get',
      'string:org.freedesktop.Secret.Collection',
      'string:Locked',
    ]);
    if (ping.ok && ping.out.includes('boolean false')) return;
    if (Date.now() > deadline) throw new Error(`the demo's keyring did not come up unlocked: ${ping.out}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The PID behind a bus name, asked of the bus itself (gnome-keyring-daemon forks away from us). */
function ownerPid(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const reply = dbusSend(env, [
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.GetConnectionUnixProcessID',
    `string:${name}`,
  ]);
  const match = /uint32 (\d+)/.exec(reply.out);
  return match ? Number(match[1]) : undefined;
}

async function stopPid(pid: number | undefined): Promise<void> {
  if (pid === undefined || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 3000;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * The processes that run with the private keyring's HOME: only the demo's bus and keyring daemons
 * have it (gnome-keyring's `--unlock` leaves a helper of its own behind, which no PID of ours names).
 */
export function processesWithHome(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`HOME=${dir}`)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Starts the private keyring in `dir` (made on first use, unlocked with the password kept there). */
export async function startPrivateKeychain(dir: string): Promise<DemoKeychain> {
  // Daemons of this keyring from a run that was killed outright would answer in place of the new ones.
  for (const pid of processesWithHome(dir)) await stopPid(pid);
  const runtime = join(dir, 'run');
  mkdirSync(join(dir, '.local', 'share'), { recursive: true, mode: 0o700 });
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const passwordFile = join(dir, 'unlock-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(dir, '.local', 'share'),
  };
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { env, encoding: 'utf8' });
  const [address, pidText] = bus.stdout.trim().split('\n');
  if (bus.status !== 0 || !address || !pidText) throw new Error(`dbus-daemon did not start: ${bus.stderr}`);
  const busPid = Number(pidText);
  env.DBUS_SESSION_BUS_ADDRESS = address;
  const pids: Record<string, number> = { 'dbus-daemon': busPid };
  const stop = async () => {
    await stopPid(pids['gnome-keyring-daemon']);
    await stopPid(busPid);
    for (const pid of processesWithHome(dir)) await stopPid(pid);
  };
  try {
    // The daemonising `--unlock` form creates (first run) or opens the login keyring with the password on stdin.
    const unlock = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
      env,
      input: password,
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (unlock.status !== 0) throw new Error(`gnome-keyring-daemon --unlock failed: ${unlock.stderr}`);
    await waitUnlocked(env);
    const keyringPid = ownerPid(env, 'org.freedesktop.secrets');
    if (keyringPid !== undefined) pids['gnome-keyring-daemon'] = keyringPid;
  } catch (error) {
    await stop();
    throw error;
  }
  // The apps keep the user's HOME; they only need to reach this bus.
  return { kind: 'private', env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, pids, stop };
}

/** The session's keychain when it works (or when this home was made with it), else a private one. */
export async function startDemoKeychain(dir: string, recorded: 'session' | 'private' | undefined): Promise<DemoKeychain> {
  const wantSession = recorded === 'session' || (recorded === undefined && sessionKeychainUsable());
  if (wantSession && sessionKeychainUsable()) {
    return { kind: 'session', env: { ...process.env }, pids: {}, stop: () => Promise.resolve() };
  }
  return startPrivateKeychain(dir);
}
