import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Keyring {
  /** Environment for processes that should use this keyring (HOME, XDG dirs, D-Bus address). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A keyring's environment, decided before the keyring runs: the app may start first and find none. */
export interface PlannedKeyring {
  env: NodeJS.ProcessEnv;
  /** Starts the bus at the planned address and unlocks the keyring, as a user would fix a missing one. */
  start(): Promise<Keyring>;
  /** Removes the temporary HOME when the keyring was never started. */
  discard(): void;
}

/**
 * A private, unlocked gnome-keyring on a private D-Bus session, with a temporary HOME, so keytar
 * works for a browser shell under test without touching anyone's real keyring (TEST-STACK.md
 * pitfall 8). The bus runs as a PID of our own and is stopped by PID; the keyring follows it.
 */
export async function startKeyring(): Promise<Keyring> {
  return planKeyring().start();
}

/**
 * The environment of a keyring that is not running yet: the session bus address names a socket in
 * the temporary HOME that appears only with start(). A process started with this env meanwhile sees
 * "no keychain" exactly as on a desktop without a running Secret Service.
 */
export function planKeyring(): PlannedKeyring {
  const home = mkdtempSync(join(tmpdir(), 'vermittlung-keyring-'));
  mkdirSync(join(home, '.local', 'share'), { recursive: true });
  const address = `unix:path=${join(home, 'bus')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    DBUS_SESSION_BUS_ADDRESS: address,
  };
  return {
    env,
    start: () => startAt(home, address, env),
    discard: () => rmSync(home, { recursive: true, force: true }),
  };
}

async function startAt(home: string, address: string, env: NodeJS.ProcessEnv): Promise<Keyring> {
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', `--address=${address}`, '--print-pid=1'], {
    env,
    encoding: 'utf8',
  });
  const pidText = bus.stdout.trim();
  if (bus.status !== 0 || !pidText) throw new Error(`dbus-daemon did not start: ${bus.stderr}`);
  const busPid = Number(pidText);

  // The daemonising `--unlock` form is the one that creates and unlocks the login keyring from the
  // password on stdin (with --foreground the collection never appears). It lives as long as the
  // bus does: stopping dbus-daemon by PID ends it too.
  const unlock = spawnSync('sh', ['-c', 'echo -n keyring-test-password | gnome-keyring-daemon --unlock --components=secrets'], {
    env,
    encoding: 'utf8',
  });
  if (unlock.status !== 0) throw new Error(`gnome-keyring-daemon --unlock failed: ${unlock.stderr}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ping = spawnSync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets/collection/login',
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      ],
      { env, encoding: 'utf8' },
    );
    if (ping.status === 0 && ping.stdout.includes('boolean false')) break;
    if (Date.now() > deadline) throw new Error(`the login keyring did not come up unlocked: ${ping.stdout} ${ping.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    env,
    stop: async () => {
      try {
        process.kill(busPid, 'SIGTERM');
      } catch {
        // already gone
      }
      // gnome-keyring-daemon leaves when its bus is gone; give it a moment before removing its files.
      await new Promise((resolve) => setTimeout(resolve, 200));
      rmSync(home, { recursive: true, force: true });
    },
  };
}
