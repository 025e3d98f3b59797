/**
 * Reconnect delays: quick first retries (a PBX restart is back within a second or two, and the
 * ≤ 10 s re-registration target must hold), then doubling up to a ceiling, with jitter so a whole
 * office does not hammer a recovering PBX in lockstep.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = attempt <= 0 ? 250 : Math.min(500 * 2 ** (attempt - 1), 30_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Sleep/resume detection: a timer that fires every `intervalMs` and reports a gap when the clock
 * jumped further than `toleranceMs` beyond it (the machine slept, or the renderer was frozen).
 */
export function watchTimerGaps(onGap: (gapMs: number) => void, intervalMs = 2000, toleranceMs = 8000): () => void {
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const gap = now - last - intervalMs;
    last = now;
    if (gap > toleranceMs) onGap(gap);
  }, intervalMs);
  return () => clearInterval(timer);
}

/** Resolves after `ms`; raced against SIP answers and lookups that must not hold a call up. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
