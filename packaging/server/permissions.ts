import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Who may read what in the installed home. The units run as the service user; `vermittlung-admin`
 * runs as root and writes files 0600 (the CA code does not know about groups). So after every admin
 * command the home is set to:
 *
 *     home, ca/, tls/                 root:SERVICE 0750
 *     ca/ca.key.pem                   root:root    0600   the admin command only
 *     ca/*, tls/*, directory.json …   root:SERVICE 0640   read by the server and Kamailio
 *     issued/                         root:root    0700   nobody else needs the issued certificates
 *     db/, run/, pbx/, server-node-id SERVICE      (as written)   the services' own state
 *
 * The service's own entries are created here when missing, since the service may not write the
 * home directory itself.
 *
 * A file whose owner or mode changed gets a new mtime: the server and the PBX reload watchers
 * compare mtimes, and a directory.json they could not read a moment ago must be read again.
 */
export function fixHomePermissions(home: string, serviceUser: string): void {
  const account = lookup(serviceUser);
  if (!account) {
    process.stderr.write(`warning: no user "${serviceUser}"; the permissions of ${home} were not adjusted\n`);
    return;
  }
  if (!existsSync(home)) return;
  const { uid, gid } = account;
  const set = (path: string, owner: number, group: number, mode: number, touch: boolean): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.uid === owner && stat.gid === group && (stat.mode & 0o7777) === mode) return;
    chownSync(path, owner, group);
    chmodSync(path, mode);
    if (touch && stat.isFile()) {
      // Strictly later than the write: a watcher that saw that mtime would not look again at the same one.
      const later = new Date(Math.max(Date.now(), Math.floor(stat.mtimeMs) + 1));
      utimesSync(path, later, later);
    }
  };
  const service = new Set(['db', 'run', 'pbx', 'server-node-id']);
  set(home, 0, gid, 0o750, false);
  for (const dir of ['db', 'run', 'pbx']) mkdirSync(join(home, dir), { recursive: true, mode: 0o750 });
  const nodeId = join(home, 'server-node-id');
  if (!existsSync(nodeId)) writeFileSync(nodeId, `${randomBytes(8).toString('hex')}\n`, { mode: 0o640 });
  for (const name of readdirSync(home)) {
    const path = join(home, name);
    const stat = lstatSync(path);
    if (service.has(name)) {
      chownTree(path, uid, gid);
    } else if (name === 'issued') {
      set(path, 0, 0, 0o700, false);
    } else if (stat.isDirectory()) {
      set(path, 0, gid, 0o750, false);
      for (const file of readdirSync(path)) {
        const inner = join(path, file);
        if (!lstatSync(inner).isFile()) continue;
        if (name === 'ca' && file === 'ca.key.pem') set(inner, 0, 0, 0o600, false);
        else set(inner, 0, gid, 0o640, true);
      }
    } else if (stat.isFile()) {
      set(path, 0, gid, 0o640, true);
    }
  }
}

function chownTree(path: string, uid: number, gid: number): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.uid !== uid || stat.gid !== gid) chownSync(path, uid, gid);
  if (stat.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

function lookup(user: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 4) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}
