import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { HostError, type ImportReport, type ImportRequest } from '../../../../protocol/index.js';
import type { ContactRepository } from '../contacts.js';
import type { RecordWriter } from '../writer.js';
import { parseCsv } from './csv.js';
import { isProblem, type ImportedContact, type ImportItem } from './record.js';
import { parseVcards } from './vcard-parse.js';

export const IMPORT_BATCH_SIZE = 500;
const MAX_REPORTED_ERRORS = 1000;
// papaparse's stream mode costs more per row the larger each chunk is (measured: 100,000 rows in
// 0.6 s with 16 KiB chunks, 5 s with 256 KiB).
const CHUNK = 16 * 1024;

export interface ImportOptions {
  batchSize?: number;
  onProgress?: (report: ImportReport) => void;
}

function source(request: Pick<ImportRequest, 'text' | 'path'>): Readable {
  if (request.path !== undefined) return createReadStream(request.path, { encoding: 'utf8', highWaterMark: CHUNK });
  // Hand the text over in slices so the parser never holds a second copy of the whole file.
  const text = request.text ?? '';
  return Readable.from(
    (function* () {
      for (let i = 0; i < text.length; i += CHUNK) yield text.slice(i, i + CHUNK);
    })(),
  );
}

function items(request: ImportRequest): AsyncIterable<ImportItem> {
  const input = source(request);
  if (request.format === 'csv') return parseCsv(input, request.csvProfile);
  return parseVcards(createInterface({ input, crlfDelay: Infinity }));
}

/**
 * Streams an import file into the store. Each batch of rows is one transaction (a crash keeps whole
 * batches only); a bad row is reported with its line and skipped (its savepoint rolls back); the
 * event loop gets a turn between batches, so the host keeps answering while 100,000 rows go in.
 */
export async function importContacts(
  writer: RecordWriter,
  contacts: ContactRepository,
  request: ImportRequest,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  const report: ImportReport = { importId: uuidv7(), imported: 0, failed: 0, errors: [], done: false };
  const fail = (line: number, message: string) => {
    report.failed++;
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, message });
  };
  const commit = async (batch: ImportedContact[]) => {
    writer.transaction(() => {
      report.imported += contacts.createMany(
        batch.map(({ line: _line, ...fields }) => ({ tenant: request.tenant, ...fields })),
        (index, error) => fail(batch[index]!.line, error.message),
      );
    });
    options.onProgress?.({ ...report, errors: [...report.errors] });
    await yieldToLoop();
  };

  let batch: ImportedContact[] = [];
  // NORMAL under WAL: a committed batch can be lost to a power cut (never to a crash of the app, and
  // the file is never corrupted), and a batch commit costs no fsync. FULL comes back afterwards.
  // A larger page cache and fewer, larger checkpoints: the name indexes take rows in random order.
  const restore = ['synchronous', 'cache_size', 'wal_autocheckpoint'].map(
    (name) => `${name} = ${String(writer.db.pragma(name, { simple: true }))}`,
  );
  writer.db.pragma('synchronous = NORMAL');
  writer.db.pragma('cache_size = -65536');
  writer.db.pragma('wal_autocheckpoint = 16384');
  try {
    for await (const item of items(request)) {
      if (isProblem(item)) fail(item.line, item.error);
      else batch.push(item);
      if (batch.length >= batchSize) {
        await commit(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await commit(batch);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HostError('not_found', 'import file not found', 'path');
    throw error;
  } finally {
    if (writer.db.open) for (const pragma of restore) writer.db.pragma(pragma);
  }
  report.done = true;
  options.onProgress?.({ ...report, errors: [...report.errors] });
  return report;
}
