import type { Session } from 'sip.js';
import { Line } from './line.js';
import { newLineView } from './line-view.js';
import { MAX_LINES, type LineView } from './types.js';

/** What the engine does with every line it opens: follow its session's states and its REFERs. */
export interface LinesOptions {
  /** A line's view changed (or the set of lines did). */
  changed(): void;
  /** Called once for each new line, before anybody else hears of it. */
  follow(line: Line): void;
  log(level: 'warn', message: string): void;
}

/**
 * The one owner of the lines: which exist, which slot each has (1 … MAX_LINES), which session
 * each carries. The engine, the incoming side and the transfers open, find and hold lines here and
 * nowhere else; a line's view changes only through `Line.patch`, which tells the UI.
 */
export class Lines {
  private all: Line[] = [];
  private nextId = 1;

  constructor(private readonly options: LinesOptions) {}

  /** Every line the UI shows, ended ones included until they are removed. */
  get list(): readonly Line[] {
    return this.all;
  }

  get(id: string): Line {
    const line = this.all.find((candidate) => candidate.view.id === id);
    if (!line) throw new Error(`no line ${id}`);
    return line;
  }

  /** The line carrying this session, ended or not (the call an attended transfer replaces). */
  bySession(session: Session): Line | undefined {
    return this.all.find((line) => line.session === session);
  }

  /** The lines not yet ended. */
  live(): Line[] {
    return this.all.filter((line) => line.view.status !== 'ended');
  }

  /** The lowest slot no live line uses; undefined when all MAX_LINES are taken. */
  freeSlot(): number | undefined {
    const used = new Set(this.live().map((line) => line.view.slot));
    for (let slot = 1; slot <= MAX_LINES; slot++) if (!used.has(slot)) return slot;
    return undefined;
  }

  /** A view with a fresh id that no line carries: a refused call's history row. */
  freshView(slot: number, direction: 'in' | 'out', remoteUser: string, values: Partial<LineView> = {}): LineView {
    return newLineView(`line-${this.nextId++}`, slot, direction, remoteUser, values);
  }

  /** Puts a session on a new line in this slot, follows it, and tells the UI. */
  open(session: Session, slot: number, direction: 'in' | 'out', remoteUser: string, values: Partial<LineView> = {}): Line {
    const line = new Line(this.freshView(slot, direction, remoteUser, values), session, () => this.options.changed());
    this.all.push(line);
    this.options.follow(line);
    this.options.changed();
    return line;
  }

  /** An ended line leaves the UI. */
  remove(line: Line): void {
    this.all = this.all.filter((candidate) => candidate !== line);
    this.options.changed();
  }

  /** Puts every other connected line on hold (but the call `replaced` names: it ends on its own). */
  async holdOthers(except: Line, replaced?: Session): Promise<void> {
    for (const other of this.live()) {
      if (other !== except && other.session !== replaced && other.view.status === 'connected' && !other.view.localHold) {
        await other.setHold(true).catch((error: Error) => this.options.log('warn', error.message));
      }
    }
  }

  /** Whether any line is connected (a held call counts, ringing does not). */
  anyConnected(except?: Line): boolean {
    return this.all.some((line) => line !== except && line.view.status === 'connected');
  }

  /** Copies of the views, for the UI. */
  views(): LineView[] {
    return this.all.map((line) => ({ ...line.view }));
  }
}
