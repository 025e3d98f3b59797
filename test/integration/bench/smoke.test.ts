import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_GRACE_MS, runSuiteFile, type Metric, type SuiteRun } from '../../../bench/_runner.js';
import { SMOKE_EXCLUDED, suiteDeadlineMs } from '../../../bench/_suites.js';

// Every benchmark suite once at smoke sizes (BENCH_SMOKE=1): a product change that breaks a bench
// fails here the same day. Figures at these sizes mean nothing; only that each is measured and sane,
// so two suites run side by side (each on its own ports, under its own deadline) to halve the wall time.
const SIDE_BY_SIDE = 2;
const BENCH = join(import.meta.dirname, '..', '..', '..', 'bench');
const EXPECTED: Record<string, string[]> = {
  calls: [
    'call_setup_p95_ms',
    'call_setup_bare_sipjs_p95_ms',
    'call_setup_vs_bare_sipjs_ratio',
    'call_setup_baresip_p95_ms',
    'call_setup_vs_baresip_ratio',
    'heap_growth_100_calls_mb',
    'reregister_after_pbx_restart_s',
    'incoming_to_ringing_ui_p95_ms',
  ],
  documents: [
    'raw_https_put_mb_per_s',
    'upload_mb_per_s',
    'upload_vs_raw_put_ratio',
    'upload_rss_growth_mb',
    'filed_to_visible_p95_ms',
  ],
  'host-api': ['dispatch_p99_ms'],
  presence: [
    'presence_propagation_p50_ms',
    'presence_propagation_p95_ms',
    'raw_publish_to_notify_p50_ms',
    'presence_vs_raw_notify_ratio',
    'presence_ringing_p95_ms',
  ],
  routing: [
    'override_to_routing_p95_ms',
    'routing_with_timeline_p50_ms',
    'routing_without_timeline_p50_ms',
    'routing_added_setup_ms',
  ],
  report: [
    'report_month_10k_calls_ms',
    'bare_pdf_10k_rows_ms',
    'report_vs_bare_pdf_ratio',
    'cdr_ingest_per_s',
    'cdr_bare_insert_per_s',
    'cdr_ingest_vs_bare_ratio',
  ],
  store: [
    'import_contacts_per_s',
    'bare_record_entry_contacts_per_s',
    'import_vs_bare_writes_ratio',
    'lookup_p99_ms',
    'search_p95_ms',
    'export_all_ms',
    'db_bytes_per_contact',
  ],
  'store-write-shape': [
    'per_field_contacts_per_s',
    'per_record_contacts_per_s',
    'record_entry_contacts_per_s',
    'no_sync_rows_contacts_per_s',
    'no_fts_contacts_per_s',
  ],
  // Smoke sizes: 4 and 16 apps stand in for 100 and 2,000 (the 500 step is left out).
  scale: ['1srv', '2srv']
    .flatMap((servers) =>
      [4, 16].flatMap((apps) =>
        [
          'live_latency_p95_ms',
          'push_p95_ms',
          'register_p95_ms',
          'presence_fanout_p95_ms',
          'server_rss_mb_per_100_apps',
          'kamailio_shm_mb',
        ].map((metric) => `${metric}_${servers}_${apps}apps`),
      ),
    )
    .concat(['live_latency_growth_2000_vs_100', 'live_latency_growth_2000_vs_100_2srv']),
  soak: [
    'app_heap_mb_per_1000_calls',
    'server_rss_mb_per_100k_changes',
    'kamailio_shm_mb_per_1000_calls',
    'rtpengine_rss_mb_per_1000_calls',
    'fd_growth',
  ],
  sync: [
    'push_10k_changes_s',
    'bare_sql_insert_10k_s',
    'push_vs_bare_sql_ratio',
    'push_pull_10k_changes_s',
    'live_latency_p95_ms',
    'initial_sync_100k_contacts_s',
    'field_edit_bytes_ratio',
    'server_changes_per_s',
  ],
};

/** Plausible at smoke sizes on a loaded CI machine, per unit. */
function sane(m: Metric): boolean {
  switch (m.unit) {
    case 'ms':
      // A difference of two medians (routing_added_setup_ms) may come out below zero in noise.
      return m.value >= (m.metric.endsWith('_added_setup_ms') ? -30_000 : 0) && m.value < 30_000;
    case 's':
      return m.value >= 0 && m.value < 300;
    case 'MB':
      // A slope extrapolated from smoke sizes (per 1,000 calls from 20) may be large either way.
      return Math.abs(m.value) < (m.metric.includes('_per_') ? 100_000 : 500);
    case 'fds':
      return Number.isInteger(m.value) && Math.abs(m.value) < 10_000;
    default:
      return m.value > 0 && m.value < 1e9;
  }
}

const suites = readdirSync(BENCH)
  .filter((name) => name.endsWith('.ts') && name !== 'run.ts' && !name.startsWith('_'))
  .map((name) => name.slice(0, -3))
  .filter((suite) => !(suite in SMOKE_EXCLUDED));

/** The suites that start a whole stack (PBX, media relay, browser) take longest: they start first, so the lanes end together. */
const LONGEST_FIRST = ['calls', 'scale', 'routing', 'soak', 'presence'];

/** Each suite's run and its last lines of chatter. */
async function runAll(): Promise<Map<string, { run: SuiteRun; chatter: string[] }>> {
  const rank = (suite: string) => (LONGEST_FIRST.includes(suite) ? LONGEST_FIRST.indexOf(suite) : LONGEST_FIRST.length);
  const queue = [...suites].sort((a, b) => rank(a) - rank(b));
  const results = new Map<string, { run: SuiteRun; chatter: string[] }>();
  const lane = async () => {
    for (let suite = queue.shift(); suite; suite = queue.shift()) {
      const chatter: string[] = [];
      const run = await runSuiteFile(join(BENCH, `${suite}.ts`), {
        deadlineMs: suiteDeadlineMs(suite, true),
        smoke: true,
        onChatter: (line) => chatter.push(line),
      });
      results.set(suite, { run, chatter });
    }
  };
  await Promise.all(Array.from({ length: SIDE_BY_SIDE }, lane));
  return results;
}

/** Enough for the slowest lane if every suite ran to its deadline. */
const allDeadlinesMs = suites.reduce((sum, suite) => sum + suiteDeadlineMs(suite, true) + RUNNER_GRACE_MS, 0);

describe('benchmark smoke run', () => {
  let results: Map<string, { run: SuiteRun; chatter: string[] }>;
  beforeAll(async () => {
    results = await runAll();
  }, allDeadlinesMs);

  it('covers every suite', () => {
    expect(suites.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const suite of suites) {
    it(`${suite} prints its figures`, () => {
      const { run, chatter } = results.get(suite)!;
      expect(run.ok, `${run.failure}\n${chatter.slice(-20).join('\n')}`).toBe(true);
      const names = run.metrics.map((m) => m.metric);
      expect(names).toEqual(expect.arrayContaining(EXPECTED[suite]!));
      expect(run.metrics.every((m) => m.suite === suite)).toBe(true);
      expect(run.metrics.filter((m) => !sane(m))).toEqual([]);
    });
  }
});
