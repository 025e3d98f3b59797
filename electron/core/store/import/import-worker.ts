/**
 * Worker thread entry of an import: its own connection to the profile database (WAL lets the main
 * thread's connection keep answering lookups and searches), the same writer and importer as the
 * main thread, and messages instead of callbacks. Bundled on its own as
 * `dist/electron/import-worker.cjs`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { HostError } from '../../../../protocol/index.js';
import { ContactRepository } from '../contacts.js';
import { PhoneNormaliser } from '../phone.js';
import { RecordWriter } from '../writer.js';
import { importContacts } from './importer.js';
import type { WorkerInput, WorkerMessage } from './worker-host.js';

const input = workerData as WorkerInput;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

// No top-level await: the bundle is CommonJS.
async function run(): Promise<void> {
  const db = new Database(input.file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const writer = new RecordWriter(db, new PhoneNormaliser(input.region), { node: input.nodeId });
    const contacts = new ContactRepository(writer);
    const changed = () => [...writer.takeChanged()].map(([table, ids]) => ({ table, ids: [...ids].slice(0, 1000) }));
    const report = await importContacts(writer, contacts, input.request, {
      ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
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

void run();
