import type { Queryable } from '../db/database.js';
import type { CdrRecord } from './cdr-file.js';

/**
 * Inserts CDRs into pbx_cdr in one statement (a JSON array unpacked by the database), the way
 * Kamailio's own inserts would have stored them: acc's start and end become timestamps (UTC, since
 * the PBX wrote Unix seconds), everything else is text.
 */
export async function insertCdrs(q: Queryable, records: readonly CdrRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  await q.query(
    `INSERT INTO pbx_cdr (start_time, end_time, duration, call_id, direction, firm_number, tenant, remote_number,
                          user_id, invite_ts, answer_ts, end_ts, mode)
     SELECT to_timestamp(r."start") AT TIME ZONE 'UTC', to_timestamp(r."end") AT TIME ZONE 'UTC', r.duration,
            r."callId", r.direction, r."firmNumber", r.tenant, r."remoteNumber", r."userId", r."inviteTs",
            r."answerTs", r."endTs", r.mode
       FROM jsonb_to_recordset($1::jsonb) AS r("start" double precision, "end" double precision,
            duration double precision, "callId" text, direction text, "firmNumber" text, tenant text,
            "remoteNumber" text, "userId" text, "inviteTs" text, "answerTs" text, "endTs" text, mode text)`,
    [JSON.stringify(records)],
  );
  return records.length;
}
