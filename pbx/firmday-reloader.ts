import type { WeeklyHours } from '../protocol/firm-day.js';
import { readDirectory } from '../server/home/directory.js';
import type { HomeLayout } from '../server/home/layout.js';
import { kamcmd } from './daemons.js';
import { renderFirmday } from './firm-routing-table.js';
import { FIRMDAY_HTABLE } from './firm-timeline.js';
import type { RenderedPbx } from './render.js';

/**
 * Renders the firms' timelines anew (htable `firmday`) and `htable.reload firmday` into the running
 * Kamailio: after a schedule changed, after the directory changed, and periodically so a timeline
 * never runs out. One run at a time; requests meanwhile make exactly one more run.
 */
export class FirmdayReloader {
  private run: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly options: {
      rendered: RenderedPbx;
      layout: HomeLayout;
      officeHours: WeeklyHours;
      say: (line: string) => void;
    },
  ) {}

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
            htableDir: this.options.rendered.htableDir,
            announceDir: this.options.rendered.announceDir,
            schedulesFile: this.options.layout.firmSchedules,
            directory: readDirectory(this.options.layout.directory),
            officeHours: this.options.officeHours,
          });
          await kamcmd(this.options.rendered.ctlSocket, ['htable.reload', FIRMDAY_HTABLE]);
          this.options.say(`firm timelines reloaded (${render.rows} rows)`);
          this.afterSpoken(render.pending);
        } catch (error) {
          this.options.say(`firm timelines not reloaded: ${(error as Error).message}`);
        }
      } while (this.again);
    })().finally(() => (this.run = undefined));
    return this.run;
  }

  /** Announcements spoken in the background: the table again, now with their lengths. */
  afterSpoken(pending: Promise<void> | undefined): void {
    pending?.then(
      () => void this.reload(),
      (error: Error) => this.options.say(`announcement not spoken: ${error.message}`),
    );
  }

  /** Resolves when no run is going on (before the stack stops Kamailio). */
  async idle(): Promise<void> {
    await this.run;
  }
}
