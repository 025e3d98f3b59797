import type { PbxState } from '../../../protocol/index.js';
import { HostError } from '../../../protocol/index.js';
import { call } from '../lib/host/client.js';

export type CheckResult =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'ok' }
  /** `code` picks the German sentence and the next step from the message files. */
  | { state: 'failed'; code: string };

export const connectionTest = $state<{ pbx: CheckResult; server: CheckResult }>({
  pbx: { state: 'idle' },
  server: { state: 'idle' },
});

const PBX_WAIT_MS = 15_000;

/** Opens the PBX connection and waits for `connected` or the first failure. */
async function testPbx(): Promise<CheckResult> {
  const deadline = Date.now() + PBX_WAIT_MS;
  let state: PbxState = await call('pbx.connect');
  while (Date.now() < deadline) {
    if (state.state === 'connected') return { state: 'ok' };
    if (state.error) return { state: 'failed', code: state.error.code };
    await new Promise((resolve) => setTimeout(resolve, 300));
    state = await call('pbx.state');
  }
  return { state: 'failed', code: 'timeout' };
}

async function testServer(): Promise<CheckResult> {
  const status = await call('sync.now');
  if (status.state === 'online' || status.state === 'syncing') return { state: 'ok' };
  if (status.state === 'disabled') return { state: 'failed', code: 'disabled' };
  return { state: 'failed', code: status.lastError?.code ?? 'offline' };
}

function failure(error: unknown): CheckResult {
  return { state: 'failed', code: error instanceof HostError ? error.code : 'internal' };
}

export async function runConnectionTest(): Promise<void> {
  connectionTest.pbx = { state: 'running' };
  connectionTest.server = { state: 'running' };
  await Promise.all([
    testPbx().then(
      (result) => (connectionTest.pbx = result),
      (error: unknown) => (connectionTest.pbx = failure(error)),
    ),
    testServer().then(
      (result) => (connectionTest.server = result),
      (error: unknown) => (connectionTest.server = failure(error)),
    ),
  ]);
}
