/**
 * The PBX's call detail records as db_flatstore writes them when the server does not run on
 * PostgreSQL (pbx/kamailio.cfg.template, Metering): one file per Kamailio process, DIR/pbx_cdr_N.log,
 * one line per dialog, the columns "|"-separated in the order acc inserts them (its own start, end and
 * duration, then cdr_extra). A "|" inside a value is written as %7C.
 */

/** The columns of pbx_cdr that a line fills, in the file's order. */
export const CDR_COLUMNS = [
  'start_time',
  'end_time',
  'duration',
  'call_id',
  'direction',
  'firm_number',
  'tenant',
  'remote_number',
  'user_id',
  'invite_ts',
  'answer_ts',
  'end_ts',
  'mode',
] as const;
export type CdrColumn = (typeof CDR_COLUMNS)[number];

export interface CdrRecord {
  /** acc's start and end as Unix seconds, its duration in seconds (creation to end). */
  start: number | null;
  end: number | null;
  duration: number | null;
  callId: string;
  direction: string | null;
  firmNumber: string | null;
  tenant: string | null;
  remoteNumber: string | null;
  userId: string | null;
  inviteTs: string | null;
  answerTs: string | null;
  endTs: string | null;
  mode: string | null;
}

export const CDR_FILE_PATTERN = /^pbx_cdr_[0-9A-Za-z_-]+\.log$/;

const text = (value: string | undefined): string | null => {
  if (value === undefined || value === '') return null;
  return value.replace(/%7C/gi, '|').replace(/%25/g, '%');
};
const number = (value: string | undefined): number | null => {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) ? n : null;
};

/** One line of a CDR file, or undefined for a line that is not one (a partial or foreign line). */
export function parseCdrLine(line: string): CdrRecord | undefined {
  const cells = line.split('|');
  if (cells.length < CDR_COLUMNS.length) return undefined;
  const callId = text(cells[3]);
  if (callId === null) return undefined;
  return {
    start: number(cells[0]),
    end: number(cells[1]),
    duration: number(cells[2]),
    callId,
    direction: text(cells[4]),
    firmNumber: text(cells[5]),
    tenant: text(cells[6]),
    remoteNumber: text(cells[7]),
    userId: text(cells[8]),
    inviteTs: text(cells[9]),
    answerTs: text(cells[10]),
    endTs: text(cells[11]),
    mode: text(cells[12]),
  };
}
