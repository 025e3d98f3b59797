import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js';
import { ErrorCode, HostError, ImportReport, type ImportRequest, type SyncTable } from '../../../../protocol/index.js';

export interface WorkerInput {
  file: string;
  region: CountryCode;
  /** The worker's own HLC node id (never the main writer's, see WriterOptions.node). */
  nodeId: string;
  /** Added to the worker's `Date.now()`: the main writer's clock correction (server time), as the import starts. */
  clockOffset?: number | undefined;
  request: ImportRequest;
  batchSize?: number | undefined;
  /** This entry, so the writer can start its parser from it; without it the writer parses too. */
  entry?: WorkerEntry | undefined;
}

export interface ChangedIds {
  table: SyncTable;
  ids: string[];
}

export type WorkerMessage =
  | { type: 'progress'; report: ImportReport; changed: ChangedIds[] }
  | { type: 'done'; report: ImportReport; changed: ChangedIds[]; lastVersion: string | null }
  | { type: 'error'; code: string; message: string; field: string | undefined };

export interface WorkerEntry {
  /** A `.ts` entry is loaded through tsx (sources under vitest/tsx), anything else as it is. */
  file: string;
}

export interface WorkerCallbacks {
  onProgress: (report: ImportReport, changed: ChangedIds[]) => void;
  /** The last version the worker wrote, so the main thread's clock sorts later writes after it. */
  onDone: (lastVersion: string | null, changed: ChangedIds[]) => void;
}

/**
 * The worker's entry for the module at `moduleFile`: `import-worker.ts` next to it when running from
 * TypeScript sources (tsx registered in the worker), else `import-worker.cjs` next to the bundled
 * main process — in a packaged app from `app.asar.unpacked`, since a worker thread's entry cannot be
 * loaded from inside the archive (electron-builder.config.ts unpacks it and better-sqlite3).
 */
export function workerEntryFor(moduleFile: string): WorkerEntry {
  // String edits rather than node:path, so a Windows path is handled the same on every platform.
  const sibling = (name: string) => moduleFile.replace(/[^\\/]+$/, name);
  if (moduleFile.endsWith('.ts')) return { file: sibling('import-worker.ts') };
  // Only the path segment that is exactly `app.asar`, on either separator.
  return { file: sibling('import-worker.cjs').replace(/([\\/])app\.asar(?=[\\/])/, '$1app.asar.unpacked') };
}

export function defaultWorkerEntry(): WorkerEntry {
  return workerEntryFor(fileURLToPath(import.meta.url));
}

/** Starts `entry` as a worker thread with `input` as its workerData. */
export function startWorker(entry: WorkerEntry, input: unknown): Worker {
  if (!entry.file.endsWith('.ts')) return new Worker(entry.file, { workerData: input });
  // Node 20 applies `--import tsx` hooks too late for a worker's own entry; tsx's API loads it.
  const api = createRequire(import.meta.url).resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(pathToFileURL(api.replace(/\.cjs$/, '.mjs')).href)})
    .then(({ tsImport }) => tsImport(${JSON.stringify(pathToFileURL(entry.file).href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, workerData: input });
}

/**
 * Runs an import in a worker thread, so the main thread's event loop stays free while 100,000 rows
 * go in. Resolves with the final report; a worker that fails or dies is an error, never a hang
 * (its batches are transactions, so the database keeps whole batches only).
 */
export function importInWorker(
  input: WorkerInput,
  callbacks: WorkerCallbacks,
  entry: WorkerEntry = defaultWorkerEntry(),
): Promise<ImportReport> {
  if (!existsSync(entry.file)) {
    return Promise.reject(new HostError('internal', `import worker ${entry.file} is missing`));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    const worker = startWorker(entry, { ...input, entry });
    worker.on('message', (raw: WorkerMessage) => {
      if (raw.type === 'error') {
        const code = ErrorCode.safeParse(raw.code);
        settle(() => reject(new HostError(code.success ? code.data : 'internal', raw.message, raw.field)));
        return;
      }
      const report = ImportReport.safeParse(raw.report);
      if (!report.success) {
        settle(() => reject(new HostError('internal', 'import worker sent an invalid report')));
        void worker.terminate();
        return;
      }
      if (raw.type === 'progress') {
        if (!settled) callbacks.onProgress(report.data, raw.changed);
        return;
      }
      settle(() => {
        callbacks.onDone(raw.lastVersion, raw.changed);
        callbacks.onProgress(report.data, []);
        resolve(report.data);
      });
    });
    worker.on('error', (error) => settle(() => reject(new HostError('internal', `import worker failed: ${error.message}`))));
    worker.on('exit', (code) =>
      settle(() => reject(new HostError('internal', `import worker stopped (exit code ${code}) before the import finished`))),
    );
  });
}
