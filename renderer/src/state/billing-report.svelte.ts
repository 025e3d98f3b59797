import type { ReportFormat, ReportFileData } from '../../../protocol/billing-report.js';
import { call } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/**
 * The Leistungsnachweis download: the server builds the file and decides who may have it (the lead
 * any firm's, a craftsman his own); the host hands the bytes over and the renderer saves them as a
 * download, as the vCard export does — the desktop app then asks where with its save dialog, and no
 * host path ever reaches the renderer.
 */
export const reportState = $state({
  tenant: '',
  /** YYYY-MM; the previous month by default, the one usually billed. */
  month: previousMonth(Date.now()),
  busy: false,
  /** What the last download delivered, for the status line. */
  last: null as { tenant: string; fileName: string; frozen: boolean } | null,
});

/** The month before the one `now` falls in, in the PC's calendar: YYYY-MM. */
export function previousMonth(now: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit' }).formatToParts(now);
  const year = Number(today.find((p) => p.type === 'year')?.value);
  const month = Number(today.find((p) => p.type === 'month')?.value);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

function save(file: ReportFileData): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads a firm's month: by default the one picked in Einstellungen, else the firm and month given (Firmen). */
export async function downloadReport(
  format: ReportFormat,
  tenant = reportState.tenant,
  month = reportState.month,
): Promise<boolean> {
  if (!tenant || reportState.busy) return false;
  reportState.busy = true;
  try {
    const file = await call('billing.report', { tenant, month, format });
    save(file);
    reportState.last = { tenant, fileName: file.fileName, frozen: file.frozen };
    return true;
  } catch (error) {
    reportError(error, 'billing.report');
    return false;
  } finally {
    reportState.busy = false;
  }
}
