/** Round-trip cost of the host API dispatcher (validation included), the seam every UI action crosses. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../electron/core/composition.js';
import { emit, percentile, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'host-api';
const ROUNDS = size(20_000, 500);

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const profileDir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-'));
  const core = await step('core start', 30_000, () => createCore({ profileDir, appVersion: 'bench', shell: 'browser' }));
  try {
    const samples = await step(`${ROUNDS} dispatches`, 60_000, async () => {
      const samples: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const start = performance.now();
        await core.dispatch('settings.get', undefined, { origin: 'bench' });
        samples.push(performance.now() - start);
      }
      return samples;
    });
    emit(SUITE, 'dispatch_p99_ms', percentile(samples, 0.99), 'ms');
  } finally {
    await step('core close', 15_000, () => core.close());
    rmSync(profileDir, { recursive: true, force: true });
  }
});
