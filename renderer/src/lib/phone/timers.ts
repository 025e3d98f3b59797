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
