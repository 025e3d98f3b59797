import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { FieldValue } from '../../protocol/sync.js';
import type { Database } from '../db/database.js';

/**
 * The synced firm schedules as a file next to directory.json (HOME/firm-schedules.json), for the PBX:
 * the stack turns each into a mode timeline in Kamailio's htable `firmday` (pbx/firm-routing-table.ts).
 * The server rewrites it after every commit that changed a schedule, so a craftsman's override reaches
 * the PBX's routing within a second; the PBX keeps the last copy when the server is down.
 */
export const FirmScheduleSnapshot = z.object({
  version: z.literal(1),
  /** tenant → field → stored value (JSON text of the part, or null), as the sync API holds them. */
  firms: z.record(z.string(), z.record(z.string(), FieldValue)),
});
export type FirmScheduleSnapshot = z.infer<typeof FirmScheduleSnapshot>;

export async function readSchedulesFromDb(db: Database): Promise<FirmScheduleSnapshot> {
  const { rows } = await db.query<{ tenant: string; field: string; value: FieldValue | null }>(
    `SELECT tenant, field, value FROM field_state WHERE tbl = 'firm_schedule' ORDER BY tenant, field`,
  );
  const firms: FirmScheduleSnapshot['firms'] = {};
  for (const r of rows) (firms[r.tenant] ??= {})[r.field] = r.value ?? null;
  // A deleted record routes like none.
  for (const [tenant, fields] of Object.entries(firms)) if (fields._deleted === true) delete firms[tenant];
  return { version: 1, firms };
}

/** The snapshot the file holds; an absent or broken file is an empty one. */
export function readScheduleSnapshot(file: string): FirmScheduleSnapshot {
  if (!existsSync(file)) return { version: 1, firms: {} };
  const parsed = FirmScheduleSnapshot.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : { version: 1, firms: {} };
}

/**
 * Keeps HOME/firm-schedules.json equal to the database: `refresh()` after each commit notification.
 * Runs one refresh at a time and collapses the ones asked for meanwhile into one more; the file is
 * replaced by rename (a reader never sees half of it) and only when its content changes.
 */
export class FirmScheduleExporter {
  private running: Promise<void> | undefined;
  private again = false;
  private last: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly file: string,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {}

  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const text = JSON.stringify(await readSchedulesFromDb(this.db), null, 1) + '\n';
          if (text !== this.last) {
            const tmp = `${this.file}.tmp-${process.pid}`;
            writeFileSync(tmp, text, { mode: 0o644 });
            renameSync(tmp, this.file);
            this.last = text;
          }
        } catch (error) {
          this.log('firm schedules not exported for the PBX', { reason: (error as Error).message });
        }
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}
