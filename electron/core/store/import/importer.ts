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

export interface ImportOptions {
  batchSize?: number;
  onProgress?: (report: ImportReport) => void;
}

function source(request: Pick<ImportRequest, 'text' | 'path'>): Readable {
  if (request.path !== undefined) return createReadStream(request.path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  // Hand the text over in slices so the parser never holds a second copy of the whole file.
  const text = request.text ?? '';
  return Readable.from(
    (function* () {
      for (let i = 0; i < text.length; i += 256 * 1024) yield text.slice(i, i + 256 * 1024);
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
      for (const row of batch) {
        try {
          const { line: _line, ...fields } = row;
          contacts.createRecord({ tenant: request.tenant, ...fields });
          report.imported++;
        } catch (error) {
          if (!(error instanceof HostError)) throw error;
          fail(row.line, error.message);
        }
      }
    });
    options.onProgress?.({ ...report, errors: [...report.errors] });
    await yieldToLoop();
  };

  let batch: ImportedContact[] = [];
  try {
    for await (const item of items(request)) {
      if (isProblem(item)) fail(item.line, item.error);
      else batch.push(item);
      if (batch.length >= batchSize) {
        await commit(batch);
        batch = [];
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HostError('not_found', 'import file not found', 'path');
    throw error;
  }
  if (batch.length > 0) await commit(batch);
  report.done = true;
  options.onProgress?.({ ...report, errors: [...report.errors] });
  return report;
}
