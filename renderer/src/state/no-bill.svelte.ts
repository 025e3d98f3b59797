import { call } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';
import { refreshHistory } from './history.svelte.js';
import { identityState } from './identity.svelte.js';

/** The reasons the form offers for "nicht berechnen" (docs/billing.md); the report prints the reason. */
export const NO_BILL_REASONS = ['Spam', 'Falsche Nummer', 'Kein Anliegen der Firma'] as const;

/** Marks a call "nicht berechnen" with a reason, or withdraws the mark (null). */
export async function setNoBill(callId: string, reason: string | null): Promise<void> {
  try {
    await call('calls.update', {
      id: callId,
      patch: { no_bill_reason: reason, ...(reason === null ? { no_bill_confirmed_by: null } : {}) },
    });
    await refreshHistory();
  } catch (error) {
    reportError(error, 'calls.update');
  }
}

/** The lead confirms the mark; the server takes this field from a lead only. */
export async function confirmNoBill(callId: string): Promise<void> {
  const me = identityState.summary;
  if (me?.role !== 'lead') return;
  try {
    await call('calls.update', { id: callId, patch: { no_bill_confirmed_by: me.user } });
    await refreshHistory();
  } catch (error) {
    reportError(error, 'calls.update');
  }
}

export function isLead(): boolean {
  return identityState.summary?.role === 'lead';
}
