import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Directory } from '../../server/home/directory.js';
import type { HomeLayout } from '../../server/home/layout.js';

/**
 * What the running Kamailio was last told: the users in its htable and the certificates already
 * known revoked. A reload (pbx-reload-main.ts) runs as a fresh process per change, so this is how
 * it knows whom a change newly revokes or removes, as the stack's watcher does in memory.
 */
export interface ReloadState {
  users: string[];
  revoked: string[];
}

function stateFile(layout: HomeLayout): string {
  return join(layout.pbxDir, 'run', 'reload-state.json');
}

export function stateOf(directory: Directory): ReloadState {
  return {
    users: directory.users.map((user) => user.id),
    revoked: directory.users.flatMap((user) => user.certificates.filter((c) => c.revokedAt).map((c) => `${user.id}/${c.serial}`)),
  };
}

export function writeReloadState(layout: HomeLayout, directory: Directory): void {
  writeFileSync(stateFile(layout), JSON.stringify(stateOf(directory)) + '\n', { mode: 0o640 });
}

export function readReloadState(layout: HomeLayout): ReloadState {
  try {
    return JSON.parse(readFileSync(stateFile(layout), 'utf8')) as ReloadState;
  } catch {
    return { users: [], revoked: [] };
  }
}
