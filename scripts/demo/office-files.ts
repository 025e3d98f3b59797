/**
 * Where the made office's pieces are, and whether an earlier run made all of them: light enough for a
 * warm start, which never loads the admin CLI (setup-office.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoPaths, DemoState } from './home.js';
import { PEOPLE } from './office.js';

export function bundlePath(paths: DemoPaths, user: string): string {
  return join(paths.bundles, `${user}.vermittlung.json`);
}

/** Whether the office of an earlier run is complete (its state was written last). */
export function officeComplete(paths: DemoPaths, state: DemoState | undefined): state is DemoState {
  return (
    state !== undefined &&
    existsSync(join(paths.office, 'directory.json')) &&
    PEOPLE.every((p) => existsSync(bundlePath(paths, p.id)) && state.passphrases[p.id] !== undefined)
  );
}
