import type { MessagePort, Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js';
import { ErrorCode, HostError, type ImportRequest } from '../../../../protocol/index.js';
import { PhoneNormaliser } from '../phone-normaliser.js';
import { IMPORTED_COLUMNS, type PreparedContact, type PreparedPhone } from './prepare.js';
import type { ImportProblem } from './record.js';
import { preparedBatches, type PreparedBatch } from './source.js';

/**
 * The import's two threads: one parses and prepares (CSV/vCard, phone numbers, folding), the other
 * writes. Each alone is about as costly as the other, so side by side an import takes half as long.
 * The parser stays at most AHEAD batches in front: a 100,000-row file never sits in memory.
 */
const AHEAD = 4;

export interface ParseInput {
  role: 'parse';
  request: ImportRequest;
  region: CountryCode;
  batchSize: number;
}

type ParserMessage =
  | { type: 'batch'; contacts: Flat; problems: ImportProblem[] }
  | { type: 'end' }
  | { type: 'error'; code: string; message: string; field: string | undefined };

/**
 * A batch's contacts cross to the writer as one flat array of strings and numbers: structured
 * cloning an object per contact and per number (keys and all) costs several times more, split
 * between the two threads, than the flat array and rebuilding the objects (docs/store.md).
 * Per contact: line, id, the IMPORTED_COLUMNS values, json, fields, the 4 FTS columns, the number
 * of phones, then per phone its id, kind, number, e164 and json.
 */
type Flat = (string | number | null)[];

export function flatten(contacts: readonly PreparedContact[]): Flat {
  const flat: Flat = [];
  for (const c of contacts) {
    flat.push(c.line, c.id, ...c.values, c.json, c.fields, ...c.fts, c.phones.length);
    for (const p of c.phones) flat.push(p.id, p.kind, p.number, p.e164);
  }
  return flat;
}

export function unflatten(flat: Flat): PreparedContact[] {
  const contacts: PreparedContact[] = [];
  const columns = IMPORTED_COLUMNS.length;
  const str = (i: number) => flat[i] as string;
  for (let i = 0; i < flat.length;) {
    const line = flat[i] as number;
    const id = str(i + 1);
    const values = flat.slice(i + 2, i + 2 + columns) as (string | null)[];
    i += 2 + columns;
    const json = str(i);
    const fields = flat[i + 1] as number;
    const fts: PreparedContact['fts'] = [str(i + 2), str(i + 3), str(i + 4), str(i + 5)];
    const count = flat[i + 6] as number;
    i += 7;
    const phones: PreparedPhone[] = [];
    for (let k = 0; k < count; k++, i += 4) {
      phones.push({
        id: str(i),
        kind: str(i + 1) as PreparedPhone['kind'],
        number: str(i + 2),
        e164: flat[i + 3] as string | null,
      });
    }
    contacts.push({ line, id, values, json, fields, phones, fts });
  }
  return contacts;
}

/** The parsing thread's side: prepares batches and posts them to `port`, waiting for acks. */
export async function runParser(port: MessagePort, input: ParseInput): Promise<void> {
  let ahead = 0;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    ahead--;
    wake?.();
  });
  const post = (message: ParserMessage) => port.postMessage(message);
  try {
    for await (const batch of preparedBatches(input.request, new PhoneNormaliser(input.region), input.batchSize)) {
      post({ type: 'batch', contacts: flatten(batch.contacts), problems: batch.problems });
      ahead++;
      while (ahead >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    }
    post({ type: 'end' });
  } catch (error) {
    const code =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : error instanceof HostError ? error.code : 'internal';
    post({
      type: 'error',
      code,
      message: code === 'not_found' ? 'import file not found' : error instanceof Error ? error.message : String(error),
      field: code === 'not_found' ? 'path' : error instanceof HostError ? error.field : undefined,
    });
  } finally {
    port.close();
  }
}

/** The writing thread's side: the parser's batches in order; its failure or death is an error. */
export async function* parsedBatches(parser: Worker): AsyncGenerator<PreparedBatch> {
  const queue: ParserMessage[] = [];
  // An object, not a `let`: the listeners set it, which narrowing after `await` does not see.
  const state: { failure: HostError | null } = { failure: null };
  let wake: (() => void) | null = null;
  const push = (message: ParserMessage) => {
    queue.push(message);
    wake?.();
  };
  parser.on('message', push);
  parser.on('error', (error) => {
    state.failure = new HostError('internal', `import parser failed: ${error.message}`);
    wake?.();
  });
  parser.on('exit', (code) => {
    state.failure ??= new HostError('internal', `import parser stopped (exit code ${code}) before the file was read`);
    wake?.();
  });
  try {
    for (;;) {
      const next = queue.shift();
      if (!next) {
        // A failure only counts once everything the parser sent before it is written.
        if (state.failure) throw state.failure;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if (next.type === 'end') return;
      if (next.type === 'error') {
        const code = ErrorCode.safeParse(next.code);
        throw new HostError(code.success ? code.data : 'internal', next.message, next.field);
      }
      yield { contacts: unflatten(next.contacts), problems: next.problems };
      parser.postMessage('ack');
    }
  } finally {
    parser.off('message', push);
    void parser.terminate();
  }
}
