import { join } from 'node:path';
import { closeConnectionsOf, dropRegistrations } from '../../pbx/connections.js';
import { kamcmd } from '../../pbx/daemons.js';
import { DIRECTORY_HTABLE, writeDirectoryTable } from '../../pbx/directory-table.js';
import { renderFirmday } from '../../pbx/firm-routing-table.js';
import { FIRMDAY_HTABLE } from '../../pbx/firm-timeline.js';
import { readDirectory } from '../../server/home/directory.js';
import type { HomeLayout } from '../../server/home/layout.js';
import { readReloadState, stateOf, writeReloadState } from './pbx-reload-state.js';

/**
 * Brings the directory and CRL of `layout` (the home's, or the PostgreSQL mirror's) into the running
 * Kamailio, as `npm run stack`'s watcher does: `tls.reload`, the directory and firm-timeline htables
 * rewritten and reloaded, and the open connections and registrations of users newly revoked or
 * removed closed. Returns the line for the journal. `tls: false` when only the directory changed:
 * `tls.reload` re-reads every TLS domain and is the slow part.
 */
export async function reloadPbx(
  layout: HomeLayout,
  say: (line: string) => void,
  { tls = true }: { tls?: boolean } = {},
): Promise<string> {
  const ctl = join(layout.pbxDir, 'run', 'kamailio.ctl');
  const directory = readDirectory(layout.directory);
  const before = readReloadState(layout);
  const now = stateOf(directory);
  if (tls) await kamcmd(ctl, ['tls.reload']);
  writeDirectoryTable(join(layout.pbxDir, 'htable'), directory);
  await kamcmd(ctl, ['htable.reload', DIRECTORY_HTABLE]);
  // The firms' timelines (a schedule or the directory changed): rendered and swapped in, and once more
  // when the later announcements are spoken.
  const firmday = () =>
    renderFirmday({
      htableDir: join(layout.pbxDir, 'htable'),
      announceDir: join(layout.pbxDir, 'announcements'),
      schedulesFile: layout.firmSchedules,
      directory,
    });
  const { pending } = firmday();
  await kamcmd(ctl, ['htable.reload', FIRMDAY_HTABLE]);
  if (pending) {
    await pending;
    firmday();
    await kamcmd(ctl, ['htable.reload', FIRMDAY_HTABLE]);
  }
  const known = new Set(before.revoked);
  const revoked = new Set(now.revoked.filter((key) => !known.has(key)).map((key) => key.split('/')[0]!));
  const current = new Set(now.users);
  const removed = new Set(before.users.filter((id) => !current.has(id)));
  const closed =
    (await closeConnectionsOf(ctl, revoked, 'certificate revoked', say)) +
    (await closeConnectionsOf(ctl, removed, 'removed from the directory', say));
  await dropRegistrations(ctl, removed);
  writeReloadState(layout, directory);
  return `PBX reloaded: ${now.users.length} users; revoked: ${[...revoked].join(', ') || 'none'}; removed: ${[...removed].join(', ') || 'none'}; connections closed: ${closed}`;
}
