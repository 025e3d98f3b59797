import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PgDatabase } from '../server/db/pg-database.js';
import { PgDirectoryStore, databaseHoldsDirectory } from '../server/directory/pg-directory-store.js';
import { writeDirectory } from '../server/home/directory.js';
import type { HomeLayout } from '../server/home/layout.js';

type Change = 'directory' | 'crl';

/** Where a PBX on a shared directory keeps its rendered copies: its own files, never the admin's. */
export function mirroredFiles(layout: HomeLayout): { directory: string; crl: string } {
  return { directory: join(layout.pbxDir, 'directory.json'), crl: join(layout.pbxDir, 'crl.pem') };
}

/**
 * For a PBX whose directory lives in PostgreSQL: writes the directory and the CRL as the files
 * Kamailio's renderer reads (the htable source and tls.cfg's CRL), at start and again on every
 * NOTIFY, then tells `onChange`, which runs the usual reload (htable.reload, tls.reload). No disk is
 * shared with the admin or the servers.
 */
export class DirectoryMirror {
  private onChange: ((what: Change) => Promise<void>) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: PgDatabase,
    private readonly store: PgDirectoryStore,
    private readonly files: { directory: string; crl: string },
    private readonly say: (line: string) => void,
  ) {}

  /** Connects, refuses a database without a directory, and writes both files before returning. */
  static async open(
    url: string,
    files: { directory: string; crl: string },
    say: (line: string) => void,
  ): Promise<DirectoryMirror> {
    const db = new PgDatabase(url, (message, fields) =>
      say(`directory database: ${message} ${fields ? JSON.stringify(fields) : ''}`),
    );
    try {
      if (!(await databaseHoldsDirectory(db).catch(() => false)))
        throw new Error('the database holds no directory: run `npm run admin -- directory migrate --home … --database …` first');
      const mirror = new DirectoryMirror(db, new PgDirectoryStore(db), files, say);
      // Listening before the first copy: a change between the two is not lost.
      await mirror.store.subscribe((what) => void mirror.refresh(what));
      await mirror.write('directory');
      await mirror.write('crl');
      return mirror;
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /**
   * From now on each change is followed by `onChange` (once the PBX is up to reload). A failed reload
   * is tried again a few times: a kamcmd can fail while another holds Kamailio's control socket, and a
   * revocation must not stay unapplied until the next change.
   */
  follow(onChange: (what: Change) => Promise<void>): void {
    this.onChange = onChange;
  }

  private apply(what: Change, left = 3): void {
    const onChange = this.onChange;
    if (!onChange || this.closed) return;
    onChange(what).catch((error: Error) => {
      this.say(`${what} reload failed${left > 0 ? ', trying again' : ''}: ${error.message}`);
      if (left > 0) setTimeout(() => this.apply(what, left - 1), 200).unref();
    });
  }

  /** Copies run one after another, so a revocation's directory is written before its CRL is reloaded. */
  refresh(what: Change): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        await this.write(what);
        this.apply(what);
      } catch (error) {
        // PostgreSQL away: the PBX keeps the last copy; the reconnect's notice copies again.
        this.say(`${what} not copied from PostgreSQL: ${(error as Error).message}`);
      }
    });
    return this.chain;
  }

  private async write(what: Change): Promise<void> {
    if (what === 'directory') {
      mkdirSync(dirname(this.files.directory), { recursive: true });
      writeDirectory(this.files.directory, await this.store.read());
      return;
    }
    const pem = await this.store.readCrl();
    if (pem === undefined) throw new Error('the database holds no CRL yet: run `npm run admin -- ca crl --database …`');
    mkdirSync(dirname(this.files.crl), { recursive: true });
    const tmp = `${this.files.crl}.tmp-${process.pid}`;
    writeFileSync(tmp, pem);
    // Rename, so Kamailio never reads half a CRL.
    renameSync(tmp, this.files.crl);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.onChange = undefined;
    await this.chain;
    await this.db.close();
  }
}
