/**
 * The first five minutes, timed: `npm run demo` from an empty demo home until it says its desks are
 * ready (office CA, firms, people, 1,000 contacts imported, stack up, identities in their profiles),
 * then again on the same home (everything reused). Each run is stopped as Ctrl-C would, and must
 * leave no process behind. There is no same-run baseline: the goals are absolute (60 s and 15 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type RunningDemo } from '../test/helpers/demo-process.js';
import { emit, onAbort, runSuite, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'demo';

async function timedStart(home: string, label: string): Promise<number> {
  let demo: RunningDemo | undefined;
  const unregister = onAbort(async () => void (await demo?.stop()));
  try {
    demo = await step(`${label} start`, 240_000, () => startDemo(home, 230_000));
    const seconds = demo.readyMs / 1000;
    await step(`${label} stop`, 60_000, async () => {
      await demo!.stop();
      const deadline = Date.now() + 10_000;
      while (demo!.leftovers().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      const left = demo!.leftovers();
      if (left.length > 0) throw new Error(`processes left after Ctrl-C: ${left.join('; ')}`);
    });
    return seconds;
  } finally {
    unregister();
  }
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-demo-'));
  const home = join(dir, 'demo');
  try {
    emit(SUITE, 'demo_cold_start_s', await timedStart(home, 'cold'), 's');
    emit(SUITE, 'demo_warm_start_s', await timedStart(home, 'warm'), 's');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
