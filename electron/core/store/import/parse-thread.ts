import type { MessagePort, Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js';
import { ErrorCode, HostError, type ImportRequest } from '../../../../protocol/index.js';
import { PhoneNormaliser } from '../phone.js';
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
  | { type: 'batch'; batch: PreparedBatch }
  | { type: 'end' }
  | { type: 'error'; code: string; message: string; field: string | undefined };

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
      post({ type: 'batch', batch });
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
      yield next.batch;
      parser.postMessage('ack');
    }
  } finally {
    parser.off('message', push);
    void parser.terminate();
  }
}
