import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { childrenOf, waitGone } from './census.js';
import { freePort } from './sync-postgres.js';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the chaos suite's own (never the machine's shared one on 5432): it is
 * killed with SIGKILL and restarted. The database's tablespace lies on a small tmpfs, so the suite
 * can fill the server's disk (fill()) while the WAL, on the ordinary disk, keeps PostgreSQL itself
 * alive — as a full data volume would.
 */
export interface ChaosPostgres {
  /** The database the server uses, reachable at `host` (an address on this side of a namespace link). */
  url(host: string): string;
  pid(): number;
  kill(): Promise<void>;
  start(): void;
  /** Fills the tablespace's volume to the last byte; free() gives the space back. */
  fill(): void;
  free(): void;
  destroy(): Promise<void>;
  dir: string;
}

export async function startChaosPostgres(options: { listen: string[]; tablespaceMb?: number }): Promise<ChaosPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-chaos-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const volume = join(dir, 'volume');
  mkdirSync(volume);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${options.tablespaceMb ?? 32}m,mode=0700`, 'tmpfs', volume]);
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const postgresGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(volume, postgresUid, postgresGid);
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const filler = join(volume, 'filler');
  let postmaster = 0;
  const start = () => {
    try {
      pgCtlStart();
    } catch (error) {
      const log = readFileSync(join(dir, 'log'), 'utf8').split('\n').slice(-8).join('\n');
      throw new Error(`PostgreSQL did not start: ${(error as Error).message.split('\n')[0]}\n${log}`);
    }
    postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  };
  const pgCtlStart = () => {
    asPostgres(`${BIN}/pg_ctl`, [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=${options.listen.join(',')} -c fsync=off -c max_connections=60`,
      'start',
    ]);
  };
  try {
    asPostgres(`${BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    // The server reaches it across a namespace link, from an address of its own.
    appendFileSync(join(data, 'pg_hba.conf'), 'host all all 10.231.0.0/16 trust\n');
    start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE TABLESPACE chaos LOCATION '${volume}'`);
    await admin.query(`CREATE DATABASE vermittlung TABLESPACE chaos`);
    await admin.end();
  } catch (error) {
    await destroy();
    throw error;
  }
  async function kill(): Promise<void> {
    const backends = childrenOf(postmaster);
    process.kill(postmaster, 'SIGKILL');
    // The backends notice their postmaster's death and exit; a new postmaster refuses to start
    // while they still hold the shared memory.
    await waitGone([postmaster, ...backends], 15_000);
    // Its lock files name a PID that may linger as a zombie (reparented to a PID 1 that does not
    // reap), which the next postmaster would take for a running one: it is dead, so the locks go.
    rmSync(join(data, 'postmaster.pid'), { force: true });
    rmSync(join(dir, `.s.PGSQL.${port}.lock`), { force: true });
  }
  async function destroy(): Promise<void> {
    try {
      if (postmaster) await kill();
    } catch {
      // already gone
    }
    try {
      execFileSync('umount', ['-l', volume]);
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    dir,
    url: (host) => `postgres://postgres@${host}:${port}/vermittlung`,
    pid: () => postmaster,
    kill,
    start,
    fill() {
      const { bavail, bsize } = statfsSync(volume);
      const fd = openSync(filler, 'a');
      try {
        const chunk = Buffer.alloc(1 << 20);
        let left = Number(bavail) * Number(bsize);
        while (left > 0) left -= writeSync(fd, chunk, 0, Math.min(chunk.length, left));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    destroy,
  };
}
