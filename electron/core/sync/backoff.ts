/**
 * Exponential backoff with full jitter: after n consecutive failures wait a random time in
 * [base·2^(n-1)/2, base·2^(n-1)], capped. The jitter keeps a whole office from reconnecting in
 * lock-step after the server comes back.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 60_000 };

export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
