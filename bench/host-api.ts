/** Round-trip cost of the host API dispatcher (validation included), the seam every UI action crosses. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../electron/core/composition.js';
import { emit, percentile } from './_metrics.js';

const core = createCore({ profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-bench-')), appVersion: 'bench', shell: 'browser' });
const samples: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const start = performance.now();
  await core.dispatch('settings.get', undefined, { origin: 'bench' });
  samples.push(performance.now() - start);
}
emit('host-api', 'dispatch_p99_ms', percentile(samples, 0.99), 'ms');
await core.close();
