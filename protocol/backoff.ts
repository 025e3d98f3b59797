/**
 * Retry delays, one formula for both sides (sync, PBX connection, registration, presence): the
 * ceiling doubles from `baseMs` with every consecutive failure up to `maxMs`, and a random factor
 * between `jitter[0]` and `jitter[1]` spreads the clients, so a whole office does not hammer a
 * server or PBX that has just come back in lock-step.
 */
export interface Backoff {
  /** The delay after the first failure (before jitter). */
  baseMs: number;
  maxMs: number;
  /** The range the delay is multiplied by at random; [0.5, 1] unless given. */
  jitter?: readonly [number, number];
}

/** The delay before the next try after `failures` consecutive failures (none: 0). */
export function backoffDelay(failures: number, backoff: Backoff, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(failures - 1, 30));
  const [low, high] = backoff.jitter ?? [0.5, 1];
  return Math.round(ceiling * (low + (high - low) * random()));
}
