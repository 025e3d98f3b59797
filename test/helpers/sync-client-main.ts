/**
 * A sync client in its own process, so a test can SIGKILL it mid-push or mid-pull and resume it on
 * the same SQLite file. Prints `writing`, `started`, `done <pending> <cursor>` on stdout.
 *   tsx test/helpers/sync-client-main.ts URL STORE KEY CERT CA WRITE_N TENANT BATCH PULL_LIMIT
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SyncEngine } from '../../electron/core/sync/sync-engine.js';
import { TestSyncStore } from './test-sync-store.js';

const [url, storeFile, keyFile, certFile, caFile, writeN, tenant, batch, pullLimit] = process.argv.slice(2);
const store = new TestSyncStore(storeFile!);
const toWrite = Number(writeN);
if (
  toWrite > 0 &&
  store.pendingCount() === 0 &&
  store.cursor() === '0' &&
  Object.keys(store.snapshot((t) => t === 'note')).length === 0
) {
  process.stdout.write('writing\n');
  store.db.transaction(() => {
    for (let i = 0; i < toWrite; i++) store.write('note', randomUUID(), tenant!, 'body', `note ${i}`);
  })();
}
const tls = { key: readFileSync(keyFile!, 'utf8'), cert: readFileSync(certFile!, 'utf8'), ca: readFileSync(caFile!, 'utf8') };
const engine = new SyncEngine({
  store,
  serverUrl: url!,
  tls: () => tls,
  live: false,
  batchSize: Number(batch),
  pullLimit: Number(pullLimit),
  backoff: { baseMs: 50, maxMs: 500 },
});
// The engine unrefs its backoff timers (it must never hold an app open); this process lives for it.
const keepAlive = setInterval(() => undefined, 1000);
engine.start();
process.stdout.write('started\n');
for (;;) {
  const status = await engine.syncNow();
  if (status.state === 'online' && status.pending === 0) break;
}
process.stdout.write(`done ${store.pendingCount()} ${store.cursor()}\n`);
await engine.stop();
store.close();
clearInterval(keepAlive);
