import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Keyring {
  /** Environment for processes that should use this keyring (HOME, XDG dirs, D-Bus address). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * A private, unlocked gnome-keyring on a private D-Bus session, with a temporary HOME, so keytar
 * works for a browser shell under test without touching anyone's real keyring (TEST-STACK.md
 * pitfall 8). The bus runs as a PID of our own and is stopped by PID; the keyring follows it.
 */
export async function startKeyring(): Promise<Keyring> {
  const home = mkdtempSync(join(tmpdir(), 'vermittlung-keyring-'));
  mkdirSync(join(home, '.local', 'share'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
  };
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { env, encoding: 'utf8' });
  const [address, pidText] = bus.stdout.trim().split('\n');
  if (bus.status !== 0 || !address || !pidText) throw new Error(`dbus-daemon did not start: ${bus.stderr}`);
  const busPid = Number(pidText);
  env.DBUS_SESSION_BUS_ADDRESS = address;

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
