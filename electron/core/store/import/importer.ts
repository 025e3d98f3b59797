import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { HostError, type ImportReport, type ImportRequest } from '../../../../protocol/index.js';
import type { PhoneNormaliser } from '../phone-normaliser.js';
import type { RecordWriter } from '../writer.js';
import { ContactBulkInsert } from './bulk-insert.js';
import { deferNameIndexes, restoreNameIndexes } from './name-indexes.js';
import { preparedBatches, type PreparedBatch } from './source.js';

export const IMPORT_BATCH_SIZE = 500;
const MAX_REPORTED_ERRORS = 1000;

export interface ImportOptions {
  batchSize?: number;
  onProgress?: (report: ImportReport) => void;
  /**
   * The prepared batches, when another thread parses the file (import-worker.ts); by default they
   * are read and prepared here, between writes.
   */
  batches?: AsyncIterable<PreparedBatch>;
}

/**
 * Streams an import file into the store. Each batch of rows is one transaction (a crash keeps whole
 * batches only); a bad row is reported with its line and skipped; the event loop gets a turn
 * between batches, so the host keeps answering while 100,000 rows go in.
 */
export async function importContacts(
  writer: RecordWriter,
  normaliser: PhoneNormaliser,
  request: ImportRequest,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  const report: ImportReport = { importId: uuidv7(), imported: 0, failed: 0, errors: [], done: false };
  const bulk = new ContactBulkInsert(writer);
  const commit = async ({ contacts, problems }: PreparedBatch) => {
    if (contacts.length > 0) writer.transaction(() => bulk.insert(request.tenant, contacts));
    report.imported += contacts.length;
    report.failed += problems.length;
    for (const { error, ...row } of problems) {
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ ...row, message: error });
    }
    options.onProgress?.({ ...report, errors: [...report.errors] });
    await yieldToLoop();
  };

  // NORMAL under WAL: a committed batch can be lost to a power cut (never to a crash of the app, and
  // the file is never corrupted), and a batch commit costs no fsync. FULL comes back afterwards.
  // A larger page cache and fewer, larger checkpoints: the name indexes take rows in random order.
  const restore = ['synchronous', 'cache_size', 'wal_autocheckpoint'].map(
    (name) => `${name} = ${String(writer.db.pragma(name, { simple: true }))}`,
  );
  writer.db.pragma('synchronous = NORMAL');
  writer.db.pragma('cache_size = -65536');
  writer.db.pragma('wal_autocheckpoint = 16384');
  const deferred = deferNameIndexes(writer.db, request);
  try {
    for await (const batch of options.batches ?? preparedBatches(request, normaliser, batchSize)) await commit(batch);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HostError('not_found', 'import file not found', 'path');
    throw error;
  } finally {
    if (writer.db.open) {
      if (deferred) restoreNameIndexes(writer.db);
      for (const pragma of restore) writer.db.pragma(pragma);
    }
  }
  report.done = true;
  options.onProgress?.({ ...report, errors: [...report.errors] });
  return report;
}
