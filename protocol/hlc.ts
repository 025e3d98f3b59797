/**
 * Hybrid logical clock versions for field-level sync. A version is a string that sorts correctly
 * byte-wise (SQLite BINARY, PostgreSQL `COLLATE "C"`):
 *
 *     <wall-clock ms, 15 digits>-<counter, 5 digits>-<node id, 16 lowercase hex>
 *     000001764163200000-00000-3f2a9c01d4e5b6a7
 *
 * Compare versions with `<`/`>` on the strings; ties of time and counter are broken by node id.
 * `receive()` moves the local clock past any version seen within `MAX_CLOCK_SKEW_MS` of its own
 * time, so later local writes sort after what was observed (causality holds). Clients run the
 * clock on server-corrected time (docs/sync-protocol.md, "Clocks"), so the bound is small.
 */
export const HLC_PATTERN = /^\d{15}-\d{5}-[0-9a-f]{16}$/;
const MAX_COUNTER = 99_999;
/**
 * How far a version may be ahead of the clock judging it: the server refuses pushed versions
 * further ahead of its own time (`version_in_future`), and `receive` does not move a clock
 * further. Small, because a version far ahead would win every edit of its field until the
 * world's clocks catch up with it; large enough for clocks corrected to within a round trip.
 */
export const MAX_CLOCK_SKEW_MS = 2 * 60 * 1000;

export interface HlcState {
  ms: number;
  counter: number;
}

export function formatVersion(ms: number, counter: number, node: string): string {
  return `${String(ms).padStart(15, '0')}-${String(counter).padStart(5, '0')}-${node}`;
}

export function parseVersion(version: string): { ms: number; counter: number; node: string } {
  if (!HLC_PATTERN.test(version)) throw new Error(`invalid HLC version: ${version.slice(0, 60)}`);
  const [ms, counter, node] = version.split('-') as [string, string, string];
  return { ms: Number(ms), counter: Number(counter), node };
}

export function isNodeId(value: string): boolean {
  return /^[0-9a-f]{16}$/.test(value);
}

export class HybridLogicalClock {
  private state: HlcState;

  constructor(
    readonly node: string,
    private readonly now: () => number = Date.now,
    initial: HlcState = { ms: 0, counter: 0 },
  ) {
    if (!isNodeId(node)) throw new Error('HLC node id must be 16 lowercase hex characters');
    this.state = { ...initial };
  }

  /** A new version for a local write, greater than every version this clock has issued or seen. */
  tick(): string {
    const wall = this.now();
    if (wall > this.state.ms) this.state = { ms: wall, counter: 0 };
    else this.bump();
    return formatVersion(this.state.ms, this.state.counter, this.node);
  }

  /**
   * Folds in a version seen from elsewhere. One more than `MAX_CLOCK_SKEW_MS` ahead of this clock's
   * time is not adopted (answers false): the value it carries may still be stored, but one wrong
   * clock elsewhere must not drag this one, and every later local write, into the future.
   */
  receive(version: string): boolean {
    const remote = parseVersion(version);
    if (remote.ms > this.now() + MAX_CLOCK_SKEW_MS) return false;
    if (remote.ms > this.state.ms) this.state = { ms: remote.ms, counter: remote.counter };
    else if (remote.ms === this.state.ms && remote.counter > this.state.counter) this.state.counter = remote.counter;
    return true;
  }

  /**
   * Pulls a clock back that runs more than `MAX_CLOCK_SKEW_MS` ahead of its time source (it ticked
   * on a wrong wall clock before the offset to the server was known): its next versions would be
   * refused by the server. Answers whether it moved; the versions it issued up there must then be
   * stamped again, since they no longer sort below the clock.
   */
  rewind(): boolean {
    const wall = this.now();
    if (this.state.ms <= wall + MAX_CLOCK_SKEW_MS) return false;
    this.state = { ms: wall, counter: 0 };
    return true;
  }

  snapshot(): HlcState {
    return { ...this.state };
  }

  private bump(): void {
    if (this.state.counter >= MAX_COUNTER) this.state = { ms: this.state.ms + 1, counter: 0 };
    else this.state.counter += 1;
  }
}
