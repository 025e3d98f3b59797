import { join } from 'node:path';
import { FileLogger } from '../../electron/core/log/logger.js';
import { PbxConnection, type ClientTls } from '../../electron/core/pbx/pbx-connection.js';
import type { PbxState } from '../../protocol/index.js';

/**
 * A real PbxConnection to `url` with fast reconnects, recording every state and message it sees.
 * No `tls` means no identity (the endpoint answers undefined). The caller closes `connection`.
 */
export function openPbxClient(url: () => string, tls: ClientTls | undefined, logHome: string) {
  const connection = new PbxConnection({
    endpoint: () => (tls ? { url: url(), tls } : undefined),
    log: new FileLogger(join(logHome, 'client-logs'), 'pbx'),
    baseDelayMs: 200,
    maxDelayMs: 1000,
  });
  const states: PbxState[] = [];
  const messages: string[] = [];
  connection.onState((state) => states.push(state));
  connection.onMessage((message) => messages.push(message));
  connection.connect();
  return { connection, states, messages };
}
