/**
 * `npm run chaos`: the full chaos suite — an office day in which every fault of docs/reliability.md
 * comes three times (the PBX host's link cut too), with more edits and a slower, lossier link than the bounded part in `npm test`
 * (test/integration/chaos/office-day.test.ts). Prints one JSON line per figure
 * (`{"suite":"chaos","metric","value","unit"}`), then each broken invariant; exits 1 if any broke.
 * Root only (network namespaces, a tmpfs mount); CHAOS_ROUNDS=N sets the repetitions.
 */
import { PBX_FAULTS, PBX_HOST_FAULTS, SYNC_FAULTS, runOfficeDay } from '../test/helpers/chaos-office-day.js';
import { netnsUnavailable } from '../test/helpers/netns.js';

const unavailable = netnsUnavailable();
if (unavailable) {
  console.error(`chaos: ${unavailable}`);
  process.exit(2);
}
const rounds = Number(process.env.CHAOS_ROUNDS ?? 3);
const deadline = setTimeout(() => {
  console.error('chaos: not finished within 20 minutes');
  process.exit(1);
}, 20 * 60_000);
deadline.unref();

const unit = (metric: string) =>
  metric.endsWith('_ms') ? 'ms' : metric.endsWith('_pct') ? '%' : metric.endsWith('_fd_change') ? 'fds' : 'count';

const report = await runOfficeDay({
  users: ['anna', 'ben', 'carl'],
  delayMs: 25,
  resetRate: 0.05,
  records: 20,
  editsPerRound: 12,
  faults: Array.from({ length: rounds }, () => [...SYNC_FAULTS, ...PBX_FAULTS, ...PBX_HOST_FAULTS]).flat(),
  log: (line) => console.error(`[chaos] ${line}`),
});
for (const [metric, value] of Object.entries(report.metrics))
  console.log(JSON.stringify({ suite: 'chaos', metric, value, unit: unit(metric) }));
console.log(JSON.stringify({ suite: 'chaos', metric: 'violations', value: report.violations.length, unit: 'count' }));
for (const violation of report.violations) console.error(`chaos: invariant broken: ${violation}`);
process.exit(report.violations.length > 0 ? 1 : 0);
