import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { HybridLogicalClock, type FieldValue } from '../../protocol/index.js';
import type { Database } from '../db/database.js';
import { SERVER_AUTHOR } from './directory-publisher.js';
import { WRITE_LOCK, currentCursor, notifyCommit, writeFields, type FieldWrite } from './field-writes.js';

/**
 * A call to a closed firm as the PBX spools it (pbx/missed-calls.ts writes HOME/pbx/missed-calls/*.json):
 * the server turns each into a synced `call` record of the firm — incoming, missed, the caller's number —
 * so the firm's teleworkers see it in their history and can call back. The record id derives from the
 * SIP Call-ID, so a file imported twice (a crash between write and removal) stays one call.
 */
export const ClosedCall = z.object({
  tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  caller: z.string().min(1).max(128),
  dialled: z.string().max(64),
  callId: z.string().min(1).max(256),
  at: z.string(),
});
export type ClosedCall = z.infer<typeof ClosedCall>;

export const CLOSED_CALL_NAMESPACE = '8f3c2b1e-4d5a-5e6f-9a7b-1c2d3e4f5a6b';

export function missedCallsDir(pbxDir: string): string {
  return join(pbxDir, 'missed-calls');
}

export function closedCallRecordId(callId: string): string {
  return uuidv5(callId, CLOSED_CALL_NAMESPACE);
}

/** Imports every spooled closed call and removes its file; returns how many were imported. */
export async function importMissedCalls(
  db: Database,
  nodeId: string,
  pbxDir: string,
  now: () => number = Date.now,
): Promise<number> {
  const dir = missedCallsDir(pbxDir);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  } catch {
    return 0;
  }
  if (files.length === 0) return 0;
  const calls: Array<{ file: string; call: ClosedCall | undefined }> = files.map((file) => {
    try {
      const parsed = ClosedCall.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      return { file, call: parsed.success ? parsed.data : undefined };
    } catch {
      return { file, call: undefined };
    }
  });
  const valid = calls.flatMap(({ call }) => (call ? [call] : []));
  if (valid.length > 0) {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const clock = new HybridLogicalClock(nodeId, now);
      const writes: FieldWrite[] = [];
      for (const call of valid) {
        const id = closedCallRecordId(call.callId);
        const fields: Record<string, FieldValue> = {
          direction: 'in',
          remote_number: call.caller,
          dialled_number: call.dialled,
          started_at: call.at,
          ended_at: call.at,
          outcome: 'missed',
          _deleted: false,
        };
        for (const [field, value] of Object.entries(fields))
          writes.push({ table: 'call', id, tenant: call.tenant, field, value, version: clock.tick() });
      }
      await writeFields(tx, writes, SERVER_AUTHOR);
      await notifyCommit(tx, [...new Set(valid.map((c) => c.tenant))], await currentCursor(tx));
    });
  }
  // Imported, or never importable (a broken file must not be read again every second).
  for (const { file } of calls) rmSync(join(dir, file), { force: true });
  return valid.length;
}
