import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC_INVOKE, InvokeRequest, type Result } from '../../protocol/index.js';
import type { Dispatch } from '../core/host-api/dispatch.js';
import type { Logger } from '../core/log/logger.js';
import { isAppOrigin } from './security.js';

/**
 * The single IPC entry point. Refuses any sender that is not the app's own top-level frame (a
 * subframe or a navigated-away page gets nothing), validates the envelope, then hands over to the
 * core dispatcher, which validates the method's input against `protocol/`.
 */
export function handle(ipcMain: IpcMain, dispatch: Dispatch, log: Logger): void {
  ipcMain.handle(IPC_INVOKE, (event: IpcMainInvokeEvent, raw: unknown): Promise<Result<unknown>> | Result<unknown> => {
    const frame = event.senderFrame;
    const frameUrl = frame?.url;
    if (!frame || frame !== event.sender.mainFrame || !isAppOrigin(frameUrl)) {
      log.warn('IPC call from a foreign sender refused', { url: frameUrl ?? null });
      return { ok: false, error: { code: 'forbidden', message: 'IPC sender is not the app' } };
    }
    const envelope = InvokeRequest.safeParse(raw);
    if (!envelope.success) {
      log.warn('malformed IPC envelope refused');
      return { ok: false, error: { code: 'validation', message: 'malformed host API request' } };
    }
    return dispatch(envelope.data.method, envelope.data.input, { origin: 'electron' });
  });
}
