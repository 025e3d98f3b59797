/**
 * What the runner and the suites agree on: each suite's overall deadline (full and smoke sizes) and
 * the goals the closing table checks. The figures themselves, with their machines, are in
 * docs/performance.md.
 */
import { SMOKE } from './_metrics.js';

const DEADLINES_S: Record<string, { full: number; smoke: number }> = {
  calls: { full: 900, smoke: 150 },
  demo: { full: 600, smoke: 600 },
  documents: { full: 1200, smoke: 120 },
  'host-api': { full: 120, smoke: 30 },
  presence: { full: 300, smoke: 90 },
  routing: { full: 300, smoke: 120 },
  report: { full: 480, smoke: 180 },
  scale: { full: 1800, smoke: 180 },
  soak: { full: 900, smoke: 180 },
  store: { full: 600, smoke: 90 },
  'store-write-shape': { full: 300, smoke: 30 },
  sync: { full: 600, smoke: 90 },
};

/**
 * A suite's overall deadline in ms; a suite not listed gets five minutes (one in smoke mode). The
 * runner passes the one it enforces in BENCH_DEADLINE_MS, which then wins.
 */
export function suiteDeadlineMs(suite: string, smoke = SMOKE): number {
  const given = Number(process.env.BENCH_DEADLINE_MS);
  if (given > 0) return given;
  const entry = DEADLINES_S[suite] ?? { full: 300, smoke: 60 };
  return (smoke ? entry.smoke : entry.full) * 1000;
}

export interface Goal {
  /** `max`: the value must not exceed `value`; `min`: it must reach it. */
  kind: 'max' | 'min';
  value: number;
  /** The same-run baseline a ratio is taken against, for the table. */
  baseline?: string;
}

export const GOALS: Record<string, Goal> = {
  import_vs_bare_writes_ratio: { kind: 'min', value: 0.9, baseline: 'bare_record_entry_contacts_per_s' },
  call_setup_vs_bare_sipjs_ratio: { kind: 'max', value: 1.2, baseline: 'call_setup_bare_sipjs_p95_ms' },
  call_setup_vs_baresip_ratio: { kind: 'max', value: 1.5, baseline: 'call_setup_baresip_p95_ms' },
  push_vs_bare_sql_ratio: { kind: 'max', value: 3, baseline: 'bare_sql_insert_10k_s' },
  presence_vs_raw_notify_ratio: { kind: 'max', value: 1.5, baseline: 'raw_publish_to_notify_p50_ms' },
  presence_propagation_p95_ms: { kind: 'max', value: 500 },
  upload_mb_per_s: { kind: 'min', value: 50, baseline: 'raw_https_put_mb_per_s' },
  upload_rss_growth_mb: { kind: 'max', value: 64 },
  filed_to_visible_p95_ms: { kind: 'max', value: 2000 },
  override_to_routing_p95_ms: { kind: 'max', value: 1000 },
  routing_added_setup_ms: { kind: 'max', value: 5, baseline: 'routing_without_timeline_p50_ms' },
  report_month_10k_calls_ms: { kind: 'max', value: 3000, baseline: 'bare_pdf_10k_rows_ms' },
  cdr_ingest_per_s: { kind: 'min', value: 5000, baseline: 'cdr_bare_insert_per_s' },
  demo_cold_start_s: { kind: 'max', value: 60 },
  demo_warm_start_s: { kind: 'max', value: 15 },
  live_latency_growth_2000_vs_100: { kind: 'max', value: 3, baseline: 'live_latency_p95_ms_1srv_100apps' },
  app_heap_mb_per_1000_calls: { kind: 'max', value: 5 },
  server_rss_mb_per_100k_changes: { kind: 'max', value: 20 },
  fd_growth: { kind: 'max', value: 0 },
};

/**
 * Suites the smoke run (`--smoke` without suite names, and test/integration/bench) leaves out, with the
 * reason. `demo` cannot be made smaller: it is a whole cold start plus a warm one (about two minutes
 * on a loaded 2-core machine), and test/browser/demo runs the same cold start on every `npm test`.
 */
export const SMOKE_EXCLUDED: Record<string, string> = {
  demo: 'a full cold and warm start of `npm run demo`; test/browser/demo/demo.test.ts covers the cold start',
};

export function goalText(goal: Goal | undefined): string {
  if (!goal) return '';
  return `${goal.kind === 'max' ? '≤' : '≥'} ${goal.value}`;
}

export function goalMet(goal: Goal, value: number): boolean {
  return goal.kind === 'max' ? value <= goal.value : value >= goal.value;
}
