/**
 * Before anything starts: every Debian package the demo needs, checked by a file it ships, so a
 * missing one is named together with the one command that installs them all (nothing half-starts).
 */
import { existsSync } from 'node:fs';
import { REQUIRED_PACKAGES } from '../../pbx/daemons.js';

const DEMO_PACKAGES = [
  ...REQUIRED_PACKAGES,
  { name: 'baresip-core', file: '/usr/bin/baresip' },
  { name: 'espeak-ng', file: '/usr/bin/espeak-ng' },
  // A private keychain where the session has none (keychain.ts).
  { name: 'gnome-keyring', file: '/usr/bin/gnome-keyring-daemon' },
  { name: 'dbus', file: '/usr/bin/dbus-daemon' },
] as const;

export const INSTALL_COMMAND = 'sudo bash scripts/setup-debian.sh';

/** The names of the packages that are missing, in the order above. */
export function missingPackages(exists: (file: string) => boolean = existsSync): string[] {
  return DEMO_PACKAGES.filter((pkg) => !exists(pkg.file)).map((pkg) => pkg.name);
}

export function missingPackagesMessage(missing: string[]): string {
  return [
    `Für die Demo fehlen Debian-Pakete: ${missing.join(', ')}.`,
    `Installieren mit:  ${INSTALL_COMMAND}`,
    `(missing Debian packages: ${missing.join(', ')}; install them with: ${INSTALL_COMMAND})`,
  ].join('\n');
}
