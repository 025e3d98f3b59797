import type { WeeklyHours } from '../protocol/firm-day.js';
import { readDirectory } from '../server/home/directory.js';
import { kamcmd } from './daemons.js';
import { renderFirmday } from './firm-routing-table.js';
import { FIRMDAY_HTABLE } from './firm-timeline.js';

export interface FirmdayReloaderOptions {
  /** Where Kamailio's htable files and the spoken announcements live (HOME/pbx/htable, HOME/pbx/announcements). */
  htableDir: string;
  announceDir: string;
  ctlSocket: string;
  directoryFile: string;
  /** HOME/firm-schedules.json, the server's copy of the synced schedules and office hours. */
  schedulesFile: string;
  /** The office's working hours while none are set as data (default Mo–Fr 08:00–18:00). */
  officeHours?: WeeklyHours;
  say: (line: string) => void;
}

/** How often the timelines are rendered anew, so the 14 days they hold never run out. */
export const TIMELINE_REFRESH_MS = 600_000;

/**
 * Renders the firms' timelines anew (htable `firmday`) and `htable.reload firmday` into the running
 * Kamailio: after a schedule changed, after the directory changed, and periodically so a timeline
 * never runs out. One run at a time; requests meanwhile make exactly one more run. Used by `npm run
 * stack` and by the packaged PBX (packaging/server/pbx-kamailio-main.ts) alike.
 */
export class FirmdayReloader {
  private run: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FirmdayReloaderOptions) {}

  reload(): Promise<void> {
    if (this.run) {
      this.again = true;
      return this.run;
    }
    this.run = (async () => {
      do {
        this.again = false;
        try {
          const render = renderFirmday({
            htableDir: this.options.htableDir,
            announceDir: this.options.announceDir,
            schedulesFile: this.options.schedulesFile,
            directory: readDirectory(this.options.directoryFile),
            ...(this.options.officeHours ? { officeHours: this.options.officeHours } : {}),
          });
          await kamcmd(this.options.ctlSocket, ['htable.reload', FIRMDAY_HTABLE]);
          this.options.say(`firm timelines reloaded (${render.rows} rows)`);
          this.afterSpoken(render.pending);
        } catch (error) {
          this.options.say(`firm timelines not reloaded: ${(error as Error).message}`);
        }
      } while (this.again);
    })().finally(() => (this.run = undefined));
    return this.run;
  }

  /** Renders anew every `ms` until `stop()`; the timer does not keep the process alive by itself. */
  every(ms = TIMELINE_REFRESH_MS): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.reload(), ms);
    this.timer.unref();
  }

  /** Announcements spoken in the background: the table again, now with their lengths. */
  afterSpoken(pending: Promise<void> | undefined): void {
    pending?.then(
      () => void this.reload(),
      (error: Error) => this.options.say(`announcement not spoken: ${error.message}`),
    );
  }

  /** Stops the timer and resolves when no run is going on (before Kamailio is stopped). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.run;
  }
}
