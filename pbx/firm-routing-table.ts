import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WeeklyHours } from '../protocol/firm-day.js';
import { officeHoursFromFields, OFFICE_HOURS_FIELD, scheduleFromFields } from '../protocol/firm-schedule.js';
import type { Directory } from '../server/home/directory.js';
import { readScheduleSnapshot } from '../server/sync/firm-schedule-export.js';
import { speakLater, speakNow, wavMs } from './announcements.js';
import { writeTableFile } from './directory-table.js';
import { announcementFile, DEFAULT_OFFICE_HOURS, FIRMDAY_HTABLE, firmdayRows, type FirmRouting } from './firm-timeline.js';

export interface FirmdayRender {
  /** Rows written. */
  rows: number;
  /** Announcements still being spoken; the table is written again once they are there. */
  pending: Promise<void> | undefined;
}

/**
 * Renders htable `firmday` (pbx/firm-timeline.ts) from directory.json (names, ring times, fallback)
 * and HOME/firm-schedules.json (the server's copy of the synced schedules, with the office's hours).
 * The announcement of a closed stretch that holds now is spoken before the table is written (a call
 * may arrive at once); later ones in the background, after which the table is written again with
 * their lengths.
 */
export function renderFirmday(options: {
  htableDir: string;
  announceDir: string;
  schedulesFile: string;
  directory: Directory;
  /** The office's working hours for firms whose record holds none (default Mo–Fr 08:00–18:00). */
  officeHours?: WeeklyHours;
  now?: number;
}): FirmdayRender {
  const snapshot = readScheduleSnapshot(options.schedulesFile);
  const firms: FirmRouting[] = options.directory.tenants.map((t) => {
    const fields = snapshot.firms[t.id];
    return {
      tenant: t.id,
      name: t.name,
      schedule: fields ? scheduleFromFields(fields) : undefined,
      ...(typeof fields?.[OFFICE_HOURS_FIELD] === 'string' ? { officeHours: officeHoursFromFields(fields) } : {}),
      ...(t.ringSeconds !== undefined ? { ringMs: t.ringSeconds * 1000 } : {}),
      craftsmanFallback: t.craftsmanFallback ?? false,
    };
  });
  const later = new Set<string>();
  const now = options.now ?? Date.now();
  const rows = firmdayRows(firms, options.officeHours ?? DEFAULT_OFFICE_HOURS, now, (text, now) => {
    const path = join(options.announceDir, announcementFile(text));
    if (existsSync(path)) return { path, ms: wavMs(path) };
    // Only a stretch that holds now waits for its speech: a change must reach the routing within a second,
    // and a later stretch has its announcement long before it begins (the table is written again then).
    if (now) {
      speakNow(options.announceDir, text);
      return { path, ms: wavMs(path) };
    }
    later.add(text);
    return { path, ms: 0 };
  });
  writeTableFile(options.htableDir, FIRMDAY_HTABLE, rows);
  if (later.size === 0) return { rows: rows.length, pending: undefined };
  const pending = Promise.all([...later].map((text) => speakLater(options.announceDir, text))).then(() => undefined);
  return { rows: rows.length, pending };
}
