import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ImportRequest } from '../../../../protocol/index.js';
import type { PhoneNormaliser } from '../phone-normaliser.js';
import { parseCsv } from './csv.js';
import { prepareContact, type PreparedContact } from './prepare.js';
import { isProblem, type ImportItem, type ImportProblem } from './record.js';
import { parseVcards } from './vcard-parse.js';

// papaparse's stream mode costs more per row the larger each chunk is (measured: 100,000 rows in
// 0.6 s with 16 KiB chunks, 5 s with 256 KiB).
const CHUNK = 16 * 1024;

/** One transaction's worth of an import: the contacts to write and the rows refused on the way. */
export interface PreparedBatch {
  contacts: PreparedContact[];
  /** Refused rows of this stretch of the file, by line. */
  problems: ImportProblem[];
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

/** The file's records, a stretch of the file at a time (CSV: a chunk's rows; vCard: one card). */
async function* items(request: ImportRequest): AsyncGenerator<ImportItem[]> {
  const input = source(request);
  if (request.format === 'csv') {
    yield* parseCsv(input, request.csvProfile);
    return;
  }
  for await (const card of parseVcards(createInterface({ input, crlfDelay: Infinity }))) yield [card];
}

/**
 * Streams the file as batches of `batchSize` checked contacts (the last one may be smaller, and a
 * batch carries the refused rows read with it). Nothing here touches the database, so it can run
 * in a thread of its own while another one writes.
 */
export async function* preparedBatches(
  request: ImportRequest,
  normaliser: PhoneNormaliser,
  batchSize: number,
): AsyncGenerator<PreparedBatch> {
  let batch: PreparedBatch = { contacts: [], problems: [] };
  for await (const stretch of items(request)) {
    for (const item of stretch) {
      const prepared = isProblem(item) ? item : prepareContact(item, normaliser);
      if ('error' in prepared) batch.problems.push(prepared);
      else batch.contacts.push(prepared);
      if (batch.contacts.length >= batchSize) {
        yield batch;
        batch = { contacts: [], problems: [] };
      }
    }
  }
  if (batch.contacts.length > 0 || batch.problems.length > 0) yield batch;
}
