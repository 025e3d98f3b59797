/**
 * Worker thread entry of an import, in one of two roles. The writer (the default) has its own
 * connection to the profile database (WAL lets the main thread's connection keep answering lookups
 * and searches) and starts a second copy of this entry as the parser, which reads and prepares the
 * file while the writer writes (parse-thread.ts). Bundled on its own as
 * `dist/electron/import-worker.cjs`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { HostError } from '../../../../protocol/index.js';
import { PhoneNormaliser } from '../phone-normaliser.js';
import { RecordWriter } from '../writer.js';
import { IMPORT_BATCH_SIZE, importContacts } from './importer.js';
import { parsedBatches, runParser, type ParseInput } from './parse-thread.js';
import { startWorker, type WorkerInput, type WorkerMessage } from './worker-host.js';

const post = (message: WorkerMessage) => parentPort!.postMessage(message);

// No top-level await: the bundle is CommonJS.
async function write(input: WorkerInput): Promise<void> {
  const db = new Database(input.file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const phones = new PhoneNormaliser(input.region);
    const offset = input.clockOffset ?? 0;
    const writer = new RecordWriter(db, phones, { node: input.nodeId, now: () => Date.now() + offset });
    const changed = () => [...writer.takeChanged()].map(([table, ids]) => ({ table, ids: [...ids].slice(0, 1000) }));
    const batchSize = input.batchSize ?? IMPORT_BATCH_SIZE;
    const parse: ParseInput = { role: 'parse', request: input.request, region: input.region, batchSize };
    const report = await importContacts(writer, phones, input.request, {
      batchSize,
      ...(input.entry ? { batches: parsedBatches(startWorker(input.entry, parse)) } : {}),
      onProgress: (progress) => {
        if (!progress.done) post({ type: 'progress', report: progress, changed: changed() });
      },
    });
    post({ type: 'done', report, changed: changed(), lastVersion: writer.meta('hlc') ?? null });
  } catch (error) {
    post({
      type: 'error',
      code: error instanceof HostError ? error.code : 'internal',
      message: error instanceof Error ? error.message : String(error),
      field: error instanceof HostError ? error.field : undefined,
    });
  } finally {
    db.close();
  }
}

const input = workerData as WorkerInput | ParseInput;
if ('role' in input && input.role === 'parse') void runParser(parentPort!, input);
else void write(input as WorkerInput);
