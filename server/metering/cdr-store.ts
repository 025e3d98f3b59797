import type { Queryable } from '../db/database.js';
import type { CdrRecord } from './cdr-file.js';

const COLUMNS = [
  'callId',
  'direction',
  'firmNumber',
  'tenant',
  'remoteNumber',
  'userId',
  'inviteTs',
  'answerTs',
  'endTs',
  'mode',
] as const satisfies readonly (keyof CdrRecord)[];

/**
 * Inserts CDRs into pbx_cdr in one statement, one array parameter per column (unnest is the cheapest
 * bulk path both drivers share), the way Kamailio's own inserts would have stored them: acc's start
 * and end become timestamps (UTC, since the PBX wrote Unix seconds), everything else is text.
 */
export async function insertCdrs(q: Queryable, records: readonly CdrRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  await q.query(
    `INSERT INTO pbx_cdr (start_time, end_time, duration, call_id, direction, firm_number, tenant, remote_number,
                          user_id, invite_ts, answer_ts, end_ts, mode)
     SELECT to_timestamp(s) AT TIME ZONE 'UTC', to_timestamp(e) AT TIME ZONE 'UTC', d, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10
       FROM unnest($1::double precision[], $2::double precision[], $3::double precision[], $4::text[], $5::text[],
                   $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
            AS r(s, e, d, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)`,
    [
      records.map((r) => r.start),
      records.map((r) => r.end),
      records.map((r) => r.duration),
      ...COLUMNS.map((column) => records.map((r) => r[column])),
    ],
  );
  return records.length;
}
