/**
 * The billing source of a server that meters nothing yet: no contracts, no calls, no items, so
 * every report is an empty month. The metering side's database source replaces it in server.ts.
 */
import type { BillingSource } from '../../protocol/billing-lines.js';
import type { Database } from '../db/database.js';

export function emptyBillingSource(_db: Database): BillingSource {
  return {
    contracts: () => Promise.resolve([]),
    callLines: () => Promise.resolve([]),
    itemLines: () => Promise.resolve([]),
  };
}
