import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/database.js';
import { parseCdrLine, type CdrRecord } from './cdr-file.js';
import { insertCdrs } from './cdr-store.js';

type Log = (message: string, fields?: Record<string, unknown>) => void;

/** db_flatstore's files and their rotated copies (pbx_cdr_N.log.2026-11-30): a rename keeps the inode. */
const FILE = /^pbx_cdr_[0-9A-Za-z_-]+\.log(\..+)?$/;
const CHUNK = 4 * 1024 * 1024;
const BATCH = 5000;

/**
 * Reads the PBX's CDR files into pbx_cdr (the PGlite case, where Kamailio cannot reach the database).
 * Each file is read from where the last pass stopped, up to its last complete line; the new offset is
 * stored in the transaction that stores the rows, so a crash re-reads nothing twice and loses nothing.
 * Files are known by inode: a file renamed for rotation is finished under its new name.
 */
export class CdrFileIngester {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: Database,
    private readonly dir: string,
    private readonly log: Log,
    private readonly onIngested: (count: number) => void = () => {},
  ) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(
      () => void this.ingest().catch((error: Error) => this.log('CDR ingest failed', { reason: error.message })),
      intervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  /** One pass over every file; resolves with the number of CDRs stored. Passes never overlap. */
  ingest(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => this.pass());
    this.running = next;
    return next;
  }

  private async pass(): Promise<number> {
    if (!existsSync(this.dir)) return 0;
    let total = 0;
    const names = readdirSync(this.dir)
      .filter((n) => FILE.test(n))
      .sort();
    const inodes: string[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      inodes.push(String(statSync(path, { bigint: true }).ino));
      total += await this.file(path, name);
    }
    // A file removed after rotation: forget its inode, which a new file may be given.
    await this.db.query('DELETE FROM pbx_cdr_file WHERE inode NOT IN (SELECT jsonb_array_elements_text($1::jsonb))', [
      JSON.stringify(inodes),
    ]);
    if (total > 0) this.onIngested(total);
    return total;
  }

  private async file(path: string, name: string): Promise<number> {
    const stat = statSync(path, { bigint: true });
    const inode = String(stat.ino);
    const { rows } = await this.db.query<{ offset_bytes: string }>('SELECT offset_bytes FROM pbx_cdr_file WHERE inode = $1', [
      inode,
    ]);
    let offset = rows[0] ? Number(rows[0].offset_bytes) : 0;
    // Truncated in place: start over rather than read past its end.
    if (offset > Number(stat.size)) offset = 0;
    let stored = 0;
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const buffer = Buffer.alloc(CHUNK);
        const read = readSync(fd, buffer, 0, CHUNK, offset);
        if (read === 0) break;
        const end = buffer.subarray(0, read).lastIndexOf(0x0a);
        // A line still being written: leave it for the next pass (a line longer than a chunk is not a CDR).
        if (end < 0) {
          if (read < CHUNK) break;
          offset += read;
          continue;
        }
        const records: CdrRecord[] = [];
        let skipped = 0;
        for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
          if (line === '') continue;
          const record = parseCdrLine(line);
          if (record) records.push(record);
          else skipped++;
        }
        if (skipped > 0) this.log('CDR lines skipped: not a CDR', { file: name, lines: skipped });
        const nextOffset = offset + end + 1;
        await this.db.transaction(async (tx) => {
          for (let i = 0; i < records.length; i += BATCH) await insertCdrs(tx, records.slice(i, i + BATCH));
          await tx.query(
            `INSERT INTO pbx_cdr_file (name, inode, offset_bytes) VALUES ($1, $2, $3)
             ON CONFLICT (inode) DO UPDATE SET name = excluded.name, offset_bytes = excluded.offset_bytes`,
            [name, inode, nextOffset],
          );
        });
        stored += records.length;
        offset = nextOffset;
        if (read < CHUNK) break;
      }
    } finally {
      closeSync(fd);
    }
    return stored;
  }
}
