import type { ImportReport } from '../../../protocol/index.js';
import { MAX_IMPORT_TEXT_BYTES } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** Import and export of contacts: the file is read here and sent as text (the browser shell has no dialog). */
export const transferState = $state({
  running: false,
  fileName: '',
  /** Estimated number of records in the file, for the progress bar. */
  expected: 0,
  report: null as ImportReport | null,
  tooLarge: false,
});

function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('file could not be read'));
    reader.readAsText(file);
  });
}

/** Counts records cheaply so the bar can move before the store reports its own totals. */
export function estimateRecords(text: string, format: 'vcard' | 'csv'): number {
  if (format === 'vcard') return (text.match(/^BEGIN:VCARD/gim) ?? []).length;
  return Math.max(0, text.split(/\r?\n/).filter((line) => line.trim()).length - 1);
}

export async function importContacts(file: File, tenant: string): Promise<ImportReport | undefined> {
  transferState.fileName = file.name;
  transferState.report = null;
  transferState.tooLarge = file.size > MAX_IMPORT_TEXT_BYTES;
  if (transferState.tooLarge) return undefined;
  const format = /\.(vcf|vcard)$/i.test(file.name) ? 'vcard' : 'csv';
  transferState.running = true;
  const stop = on('store.importProgress', (report) => {
    transferState.report = report;
  });
  try {
    const text = await readText(file);
    transferState.expected = estimateRecords(text, format);
    const report = await call('store.import', { tenant, format, text });
    transferState.report = report;
    return report;
  } catch (error) {
    reportError(error, 'store.import');
    return undefined;
  } finally {
    stop();
    transferState.running = false;
  }
}

/** Exports as vCard and hands the file to the browser's download. */
export async function exportContacts(tenant: string | undefined): Promise<number> {
  try {
    const { text, count } = await call('store.exportVcard', { tenant });
    const url = URL.createObjectURL(new Blob([text], { type: 'text/vcard' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `kontakte${tenant ? `-${tenant}` : ''}.vcf`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return count;
  } catch (error) {
    reportError(error, 'store.exportVcard');
    return -1;
  }
}
