/**
 * `pbx-reload.mjs --home DIR`: run by vermittlung-pbx-reload.service whenever the path unit sees the
 * CRL, the server certificate, directory.json or firm-schedules.json change. Does what `npm run
 * stack`'s watcher does: `tls.reload`, the directory and firm-timeline htables rewritten and
 * reloaded, and the open connections and registrations of users newly revoked or removed closed.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kamcmd } from '../../pbx/daemons.js';
import { DIRECTORY_HTABLE, writeDirectoryTable } from '../../pbx/directory-table.js';
import { closeConnectionsOf, dropRegistrations } from '../../pbx/connections.js';
import { readDirectory } from '../../server/home/directory.js';
import { homeLayout } from '../../server/home/layout.js';
import { readReloadState, stateOf, writeReloadState } from './pbx-reload-state.js';
import { renderFirmday } from '../../pbx/firm-routing-table.js';
import { FIRMDAY_HTABLE } from '../../pbx/firm-timeline.js';
import { join } from 'node:path';

const { values } = parseArgs({ options: { home: { type: 'string' } } });
if (!values.home) {
  process.stderr.write('usage: pbx-reload.mjs --home DIR\n');
  process.exit(2);
}
const layout = homeLayout(resolve(values.home));
const ctl = join(layout.pbxDir, 'run', 'kamailio.ctl');

const say = (line: string) => process.stderr.write(`${line}\n`);

try {
  const directory = readDirectory(layout.directory);
  const before = readReloadState(layout);
  const now = stateOf(directory);
  await kamcmd(ctl, ['tls.reload']);
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
  process.stdout.write(
    `PBX reloaded: ${now.users.length} users; revoked: ${[...revoked].join(', ') || 'none'}; removed: ${[...removed].join(', ') || 'none'}; connections closed: ${closed}\n`,
  );
} catch (error) {
  // A directory.json half edited by hand, or Kamailio not up: the next change (or start) applies it.
  process.stderr.write(`PBX not reloaded: ${(error as Error).message}\n`);
  process.exit(1);
}
