import { HostError, type IdentityStatus, type IdentitySummary } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/**
 * Who this profile is (from identity.status). `unavailable` means the host has no identity service
 * yet; the UI then shows the onboarding's explanation instead of a blank screen.
 */
export const identityState = $state({
  loaded: false,
  available: true,
  status: null as IdentityStatus | null,
  summary: null as IdentitySummary | null,
});

function apply(status: IdentityStatus): void {
  identityState.status = status;
  identityState.summary = status.state === 'active' || status.state === 'expired' ? status.identity : null;
}

let listening = false;

export async function loadIdentity(): Promise<void> {
  try {
    apply(await call('identity.status'));
    identityState.available = true;
  } catch (error) {
    identityState.available = !(error instanceof HostError && error.code === 'unknown_method');
    if (identityState.available) reportError(error, 'identity.status');
  } finally {
    identityState.loaded = true;
  }
  if (!listening) {
    listening = true;
    on('identity.changed', apply);
  }
}

/** Imports a bundle. The text and passphrase live only in this call; nothing keeps them afterwards. */
export async function importIdentity(bundle: string, passphrase: string): Promise<IdentityStatus> {
  const status = await call('identity.import', { bundle, passphrase });
  apply(status);
  return status;
}

export async function removeIdentity(): Promise<void> {
  try {
    apply(await call('identity.remove'));
  } catch (error) {
    reportError(error, 'identity.remove');
  }
}

export function needsOnboarding(): boolean {
  return identityState.loaded && identityState.status?.state === 'none';
}
