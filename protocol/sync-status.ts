/**
 * The sync engine on the host API: its status (for the status bar), "sync now", and the conflict
 * log ("überschrieben von …"). The engine lives in the main process (electron/core/sync).
 */
import { z } from 'zod';
import { RecordId, SyncTable, TenantId, FieldValue } from './sync.js';

const NoInput = z.union([z.undefined(), z.null()]).transform(() => undefined);

export const SyncState = z.enum([
  /** no server configured or no client certificate yet */
  'disabled',
  /** the last attempt failed (network, server, database); retrying with backoff */
  'offline',
  'online',
  'syncing',
]);
export type SyncState = z.infer<typeof SyncState>;

export const SyncStatus = z.object({
  state: SyncState,
  /** Local changes not yet accepted by the server. */
  pending: z.number().int().min(0),
  /** ISO time of the last complete push + pull. */
  lastSync: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), status: z.number().int().optional(), at: z.string() }).nullable(),
  /** The live channel is connected: remote changes arrive within a second. */
  live: z.boolean(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncConflict = z.object({
  id: z.number().int(),
  table: SyncTable,
  recordId: RecordId,
  tenant: TenantId,
  field: z.string(),
  lostValue: FieldValue,
  winningValue: FieldValue,
  winningVersion: z.string(),
  author: z.string(),
  at: z.string(),
});
export type SyncConflict = z.infer<typeof SyncConflict>;

export const syncMethods = {
  'sync.status': { input: NoInput, output: SyncStatus },
  /** Pushes and pulls at once (skipping any backoff wait) and answers the status afterwards. */
  'sync.now': { input: NoInput, output: SyncStatus },
  'sync.conflicts': {
    input: z
      .strictObject({ limit: z.number().int().min(1).max(500).default(100) })
      .optional()
      .transform((v) => v ?? { limit: 100 }),
    output: z.array(SyncConflict),
  },
} as const;

export const syncEvents = {
  'sync.status': SyncStatus,
} as const;
