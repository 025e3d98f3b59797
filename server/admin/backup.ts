import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { homeLayout } from '../home/layout.js';
import { AdminFailure } from '../pki/office-ca.js';
import { requestPgliteImage } from './backup-socket.js';

/**
 * `backup --out FILE` and `restore FILE`: the home (CA, TLS identity, issued certificates, directory,
 * calendar tokens, the server's node id) and the database in one gzip'd tar, mode 0600 because it
 * holds the CA key. The database part is an image of PGlite's data directory, taken by the running
 * server between two transactions, or `pg_dump`'s custom format, one snapshot of PostgreSQL.
 */

const FORMAT = 1;
/**
 * How far a restore moves the change sequence ahead. The apps' cursors may stand at sequence
 * numbers the old server drew after the backup; new changes on the restored server must sort after
 * them, or apps that synced with the old server would never pull them.
 */
export const RESTORE_SEQUENCE_GAP = 1_000_000_000;
/** Not part of a backup: the database is dumped separately, the rest is rebuilt at start. */
const HOME_EXCLUDED = new Set(['db', 'pbx', 'run', 'stack.json']);

interface Manifest {
  format: number;
  createdAt: string;
  database: 'pglite' | 'postgres';
}

type UsageErrorFactory = (message: string) => Error;

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new AdminFailure(missing ? `${command} is not installed` : `${command} failed: ${stderr.trim() || error.message}`),
        );
      } else resolvePromise(stdout);
    });
  });
}

function options(argv: string[], usage: UsageErrorFactory, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        home: { type: 'string' },
        out: { type: 'string' },
        database: { type: 'string' },
        offline: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.positionals.length !== positionals)
    throw usage(positionals === 1 ? 'expected exactly one backup FILE' : `unexpected argument "${parsed.positionals[0]}"`);
  if (!parsed.values.home) throw usage('--home is required');
  const database = parsed.values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw usage('--database must be a postgres:// URL');
  return { ...parsed.values, home: resolve(parsed.values.home), file: parsed.positionals[0] };
}

export async function runBackup(argv: string[], usage: UsageErrorFactory): Promise<string> {
  const values = options(argv, usage, 0);
  if (!values.out) throw usage('--out FILE is required');
  const out = resolve(values.out);
  const layout = homeLayout(values.home);
  if (!existsSync(layout.caKey)) throw new AdminFailure(`no CA in ${layout.home}: nothing to back up`);
  const stage = mkdtempSync(join(tmpdir(), 'vermittlung-backup-'));
  try {
    mkdirSync(join(stage, 'database'), { mode: 0o700 });
    let database: Manifest['database'];
    if (values.database) {
      database = 'postgres';
      await run('pg_dump', [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${join(stage, 'database', 'postgres.dump')}`,
        values.database,
      ]);
    } else {
      database = 'pglite';
      writeFileSync(
        join(stage, 'database', 'pglite.tar'),
        await pgliteImage(layout.dbDir, values.home, values.offline === true),
        {
          mode: 0o600,
        },
      );
    }
    // The home's files after the database: a user added meanwhile is in the directory but has written nothing yet.
    cpSync(values.home, join(stage, 'home'), {
      recursive: true,
      filter: (source) => !HOME_EXCLUDED.has(relative(values.home, source).split('/')[0]!),
    });
    const manifest: Manifest = { format: FORMAT, createdAt: new Date().toISOString(), database };
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    // Fast gzip: most of the file is the database image, and the backup runs while people work.
    await run('tar', ['--use-compress-program=gzip -1', '-cf', tmp, '-C', stage, '.']);
    chmodSync(tmp, 0o600);
    renameSync(tmp, out);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return [
    `backup written to ${out} (database: ${values.database ? 'PostgreSQL, pg_dump' : 'PGlite image'})`,
    'It contains the CA key: keep it as safe as the home itself.',
  ].join('\n');
}

async function pgliteImage(dbDir: string, home: string, offline: boolean): Promise<Buffer> {
  const answer = await requestPgliteImage(home);
  if (answer.kind === 'image') return answer.image;
  if (!offline)
    throw new AdminFailure(
      `no server answers on ${home}/run/backup.sock: start it, or give --offline if it is stopped (a second process must ` +
        'never open its database); a server on PostgreSQL is backed up with --database postgres://…',
    );
  if (!existsSync(dbDir)) throw new AdminFailure(`${dbDir} does not exist: the server has never run on this home`);
  const db = new PGlite(dbDir);
  try {
    await db.exec('CHECKPOINT');
    return Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
  } finally {
    await db.close();
  }
}

export async function runRestore(argv: string[], usage: UsageErrorFactory): Promise<string> {
  const values = options(argv, usage, 1);
  const file = resolve(values.file!);
  if (!existsSync(file)) throw new AdminFailure(`${file} does not exist`);
  const layout = homeLayout(values.home);
  if (existsSync(layout.caKey)) throw new AdminFailure(`${layout.home} already has a CA: restore into an empty home`);
  if (existsSync(layout.dbDir) && readdirSync(layout.dbDir).length > 0)
    throw new AdminFailure(`${layout.dbDir} is not empty: restore into an empty home`);
  const stage = mkdtempSync(join(tmpdir(), 'vermittlung-restore-'));
  try {
    await run('tar', ['-xzf', file, '-C', stage]);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(join(stage, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      throw new AdminFailure(`${file} is not a Vermittlung backup (no manifest.json)`);
    }
    if (manifest.format !== FORMAT)
      throw new AdminFailure(`${file} has backup format ${manifest.format}; this version reads ${FORMAT}`);
    if (manifest.database === 'postgres' && !values.database)
      throw new AdminFailure('the backup holds a PostgreSQL dump: give --database postgres://… of an empty database');
    if (manifest.database === 'pglite' && values.database)
      throw new AdminFailure('the backup holds a PGlite image: restore it without --database (the server then runs on PGlite)');
    mkdirSync(layout.home, { recursive: true, mode: 0o700 });
    // The database first: a home with a CA but no data would look like a complete restore.
    if (manifest.database === 'postgres') await restorePostgres(join(stage, 'database', 'postgres.dump'), values.database!);
    else {
      try {
        await restorePglite(join(stage, 'database', 'pglite.tar'), layout.dbDir);
      } catch (error) {
        // A half-written data directory would make the next attempt refuse the home as not empty.
        rmSync(layout.dbDir, { recursive: true, force: true });
        throw error;
      }
    }
    cpSync(join(stage, 'home'), layout.home, { recursive: true });
    return [
      `restored ${file} (taken ${manifest.createdAt}) into ${layout.home}${values.database ? ` and ${redact(values.database)}` : ''}`,
      `The change sequence moved ${RESTORE_SEQUENCE_GAP} ahead, so apps that synced with the old server pull what is written from now on.`,
      'Changes the old server accepted after the backup are not on this server.',
    ].join('\n');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

const BUMP_SEQUENCE = `SELECT setval('change_seq', (SELECT last_value FROM change_seq) + ${RESTORE_SEQUENCE_GAP})`;

async function restorePglite(image: string, dbDir: string): Promise<void> {
  const db = new PGlite(dbDir, { loadDataDir: new Blob([readFileSync(image)]) });
  try {
    await db.query(BUMP_SEQUENCE);
  } finally {
    await db.close();
  }
}

async function restorePostgres(dump: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new AdminFailure(`cannot connect to ${redact(url)}: ${(error as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'public'");
    if (rows[0]?.n !== '0') throw new AdminFailure(`${redact(url)} is not empty: restore into an empty database`);
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${url}`, dump]);
    await client.query(BUMP_SEQUENCE);
  } finally {
    await client.end();
  }
}
