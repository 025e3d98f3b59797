import type { PbxState } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';

/** The main process's WSS connection to the PBX, for the status bar. */
export const pbxStatus = $state({ state: null as PbxState | null });

let listening = false;

export async function followPbxState(): Promise<void> {
  if (!listening) {
    listening = true;
    on('pbx.state', (state) => {
      pbxStatus.state = state;
    });
  }
  try {
    pbxStatus.state = await call('pbx.state');
  } catch {
    pbxStatus.state = null;
  }
}
