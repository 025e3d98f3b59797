import { DirectoryMirror, mirroredFiles } from '../../pbx/directory-mirror.js';
import { PgDatabase } from '../../server/db/pg-database.js';
import { DIRECTORY_CHANNEL, databaseHoldsDirectory } from '../../server/directory/pg-directory-store.js';
import type { HomeLayout } from '../../server/home/layout.js';
import { layoutFor, redact } from './pbx-directory-source.js';
import { reloadPbx } from './pbx-reload.js';

/**
 * The kamailio unit's main process with the directory in PostgreSQL: the mirror copies the directory
 * and CRL into HOME/pbx/ on every NOTIFY, and each copy runs the path unit's reload (pbx-reload.ts)
 * against them, so a user added or revoked on any host reaches Kamailio within the NOTIFY's latency.
 */
export class PbxDirectoryFollower {
  private queued: Promise<void> | undefined;
  private readonly pending = new Set<'directory' | 'crl'>();
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly mirror: DirectoryMirror,
    private readonly layout: HomeLayout,
    private readonly say: (line: string) => void,
  ) {}

  /** Listens and copies both files before returning: Kamailio, started next, reads them current. */
  static async open(home: HomeLayout, database: string, say: (line: string) => void): Promise<PbxDirectoryFollower> {
    const mirror = await DirectoryMirror.open(database, mirroredFiles(home), say);
    say(`directory and CRL followed in ${redact(database)}`);
    return new PbxDirectoryFollower(mirror, layoutFor(home, 'postgres'), say);
  }

  /** Once Kamailio answers: from now on every change is reloaded, and the ones copied while it started are, now. */
  follow(): void {
    this.mirror.follow((what) => this.reload(what));
    void this.mirror.refresh('directory');
    void this.mirror.refresh('crl');
  }

  /**
   * One reload at a time; changes arriving while one waits share it. It reads both copies whole; a
   * new CRL adds the `tls.reload`.
   */
  private reload(what: 'directory' | 'crl'): Promise<void> {
    this.pending.add(what);
    if (this.queued) return this.queued;
    const next = this.tail
      .catch(() => undefined)
      .then(async () => {
        this.queued = undefined;
        const tls = this.pending.has('crl');
        this.pending.clear();
        this.say(await reloadPbx(this.layout, this.say, { tls }));
      });
    this.queued = next;
    this.tail = next;
    return next;
  }

  async close(): Promise<void> {
    await this.mirror.close();
    await this.tail.catch(() => undefined);
  }
}

/**
 * With a database that does not hold the directory yet, the PBX renders from the home's files; once
 * `directory migrate` moves it there, `onMigrated` (the unit restarts and renders from PostgreSQL).
 * Returns the closer; a database that cannot be reached now leaves the migration to a manual restart.
 */
export async function watchForMigration(
  database: string,
  say: (line: string) => void,
  onMigrated: () => void,
): Promise<() => Promise<void>> {
  const db = new PgDatabase(database, (message) => say(`directory database: ${message}`));
  let done = false;
  const check = (): void => {
    void databaseHoldsDirectory(db)
      .catch(() => false)
      .then((holds) => {
        if (holds && !done) {
          done = true;
          onMigrated();
        }
      });
  };
  try {
    await db.listen(DIRECTORY_CHANNEL, check, check);
    // A migration between the ExecStartPre's look and this LISTEN sent its NOTIFY to nobody.
    check();
  } catch (error) {
    say(
      `not listening for \`directory migrate\` in ${redact(database)} (${(error as Error).message}): restart vermittlung-kamailio after it`,
    );
  }
  return () => db.close();
}
