/**
 * The sync engine on the host API: its status (for the status bar), "sync now", and the conflict
 * log ("überschrieben von …"). The engine lives in the main process (electron/core/sync).
 */
import { z } from 'zod';
import { NoInput } from './method-io.js';
import { RecordId, SyncTable, TenantId, FieldValue } from './sync.js';

export const SyncState = z.enum([
  /** no server configured or no client certificate yet */
  'disabled',
  /** the last attempt failed (network, server, database); retrying with backoff */
  'offline',
  'online',
  'syncing',
  /** the server refused this app's wire version as too old: not retried until the app is updated */
  'app_outdated',
  /** the server is older than this app's wire version: not retried until the server is updated */
  'server_outdated',
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
  /** Local changes the server refused for good: kept, no longer retried, until retried or discarded. */
  quarantined: z.number().int().min(0),
  /**
   * The server's clock minus this computer's, in ms, as measured on sync answers (negative: this
   * computer's clock is ahead); null before the first answer. Beyond `CLOCK_WARN_MS` the status bar
   * asks the user to check the date and time.
   */
  clockOffset: z.number().int().nullable().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** An offset the user is told about: a few minutes, beyond what any correct clock drifts between syncs. */
export const CLOCK_WARN_MS = 3 * 60 * 1000;

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

/** A local change the server refused for good (400/403/413), with the server's reason. */
export const QuarantinedChange = z.object({
  id: z.number().int(),
  table: SyncTable,
  recordId: RecordId,
  tenant: TenantId,
  field: z.string(),
  value: FieldValue,
  code: z.string(),
  message: z.string(),
  status: z.number().int(),
  at: z.string(),
});
export type QuarantinedChange = z.infer<typeof QuarantinedChange>;

/** Which quarantined changes an action means; none given = all of them. */
const QuarantineSelection = z
  .strictObject({ ids: z.array(z.number().int().min(1)).max(10_000).optional() })
  .optional()
  .transform((v) => v ?? {});

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
  'sync.quarantine': {
    input: z
      .strictObject({ limit: z.number().int().min(1).max(1000).default(200) })
      .optional()
      .transform((v) => v ?? { limit: 200 }),
    output: z.array(QuarantinedChange),
  },
  /** Puts quarantined changes back into the outbox and syncs at once; answers the status afterwards. */
  'sync.quarantine.retry': { input: QuarantineSelection, output: SyncStatus },
  /** Stops syncing quarantined changes for good; the local records keep their values. */
  'sync.quarantine.discard': { input: QuarantineSelection, output: SyncStatus },
} as const;

export const syncEvents = {
  'sync.status': SyncStatus,
} as const;
