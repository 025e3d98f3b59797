/** Shared by the benchmark suites: one JSON line per metric, and percentiles. */
export function emit(suite: string, metric: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ suite, metric, value: Math.round(value * 1000) / 1000, unit })}\n`);
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
