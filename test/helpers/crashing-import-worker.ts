/** An import worker that dies after its first batch, as a native crash or an OOM kill would end it. */
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage({
  type: 'progress',
  report: { importId: '0190a0a0-0000-7000-8000-000000000000', imported: 500, failed: 0, errors: [], done: false },
  changed: [],
});
setTimeout(() => process.exit(3), 10);
