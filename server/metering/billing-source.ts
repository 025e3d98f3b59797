import type { BillingCallLine, BillingItemLine, BillingSource, ContractVersion } from '../../protocol/billing-lines.js';
import type { FieldValue } from '../../protocol/index.js';
import { contractOn } from '../../protocol/index.js';
import type { Queryable } from '../db/database.js';
import type { Directory } from '../home/directory.js';
import { readContracts } from './contracts.js';
import { e164OrAsGiven, firmNumberForms } from './firm-numbers.js';

interface CdrRow {
  call_id: string;
  direction: string | null;
  remote_number: string | null;
  user_id: string | null;
  invite_ts: string;
  answer_ts: string | null;
  end_ts: string | null;
  end_epoch: number | null;
}

type Fields = Record<string, FieldValue>;

/** The PBX's times are "seconds.microseconds"; a duration is rounded to the whole second (half up). */
const seconds = (from: number, to: number): number => Math.max(0, Math.round(to - from));
const num = (value: FieldValue | undefined): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
};
const str = (value: FieldValue | undefined): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The day a moment falls on in Europe/Berlin, as YYYY-MM-DD (the report's calendar). */
export function berlinDate(iso: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date(iso));
}

/**
 * The report's view of the database (protocol/billing-lines.ts): calls from the PBX's CDRs, joined to
 * the firm by its number and to the directory's user who answered, completed by the facts the apps
 * synced on the call record with the same PBX Call-ID (hold, after-call work, "nicht berechnen", the
 * note's subject, the contact's name).
 */
export class DbBillingSource implements BillingSource {
  constructor(
    private readonly db: Queryable,
    private readonly directory: () => Directory,
  ) {}

  contracts(tenantId: string): Promise<ContractVersion[]> {
    return readContracts(this.db, tenantId);
  }

  async callLines(tenantId: string, fromIso: string, toIso: string): Promise<BillingCallLine[]> {
    const directory = this.directory();
    const tenant = directory.tenants.find((t) => t.id === tenantId);
    if (!tenant) return [];
    const { rows } = await this.db.query<CdrRow>(
      `SELECT call_id, direction, remote_number, user_id, invite_ts, answer_ts, end_ts,
              extract(epoch FROM end_time AT TIME ZONE 'UTC')::double precision AS end_epoch
         FROM pbx_cdr
        WHERE firm_number IN (SELECT jsonb_array_elements_text($1::jsonb))
          AND started_at >= $2::timestamptz AND started_at < $3::timestamptz
        ORDER BY started_at, id`,
      [JSON.stringify(firmNumberForms(tenant.numbers)), fromIso, toIso],
    );
    const facts = await this.appFacts(
      tenantId,
      rows.map((r) => r.call_id),
    );
    const names = new Map(directory.users.map((u) => [u.id, u.name]));
    return rows.map((row) => {
      const invite = Number(row.invite_ts);
      const answer = row.answer_ts === null ? null : Number(row.answer_ts);
      const end = row.end_ts !== null ? Number(row.end_ts) : (row.end_epoch ?? answer ?? invite);
      const direction = row.direction === 'out' ? 'out' : 'in';
      const app = facts.get(row.call_id);
      // Nobody answered: no user, however the dialog ended.
      const answeredBy = answer === null ? null : row.user_id;
      return {
        callId: row.call_id,
        tenantId,
        direction,
        startedAt: new Date(Math.round(invite * 1000)).toISOString(),
        remoteNumber: row.remote_number === null ? '' : e164OrAsGiven(row.remote_number),
        remoteName: app?.contactName ?? null,
        answeredBy,
        answeredByName: answeredBy === null ? null : (names.get(answeredBy) ?? answeredBy),
        ringSeconds: seconds(invite, answer ?? end),
        talkSeconds: answer === null ? 0 : seconds(answer, end),
        holdSeconds: num(app?.call.hold_seconds) ?? 0,
        afterCallWorkSeconds: num(app?.call.after_call_work_seconds) ?? 0,
        appTalkSeconds: num(app?.call.app_talk_seconds),
        noBill:
          str(app?.call.no_bill_reason) === null
            ? null
            : { reason: str(app?.call.no_bill_reason)!, confirmedBy: str(app?.call.no_bill_confirmed_by) },
        noteSubject: app?.noteSubject ?? null,
      } satisfies BillingCallLine;
    });
  }

  async itemLines(tenantId: string, fromDate: string, toDate: string): Promise<BillingItemLine[]> {
    const contracts = await this.contracts(tenantId);
    const lines: BillingItemLine[] = [];
    const appointments = await this.records(tenantId, 'appointment');
    for (const [id, a] of appointments) {
      const startsAt = str(a.starts_at);
      if (a._deleted === true || startsAt === null || a.status === 'cancelled') continue;
      const date = berlinDate(startsAt);
      if (date < fromDate || date >= toDate) continue;
      // Priced by the contract valid on the appointment's day; a contract without a price bills none.
      const price = contractOn(contracts, date)?.contract.appointmentCents;
      if (price === undefined) continue;
      lines.push({
        id,
        tenantId,
        date,
        kind: 'appointment',
        description: str(a.subject) ?? 'Termin',
        quantity: 1,
        unitCents: price,
      });
    }
    for (const [id, item] of await this.records(tenantId, 'billing_item')) {
      const date = str(item.date);
      const quantity = num(item.quantity);
      const unitCents = num(item.unit_cents);
      if (item._deleted === true || date === null || quantity === null || unitCents === null) continue;
      if (date < fromDate || date >= toDate) continue;
      lines.push({ id, tenantId, date, kind: 'item', description: str(item.description) ?? '', quantity, unitCents });
    }
    return lines.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
  }

  /** Every record of one table of a tenant, as its fields. */
  private async records(tenant: string, table: string, ids?: readonly string[]): Promise<Map<string, Fields>> {
    const { rows } = await this.db.query<{ id: string; field: string; value: FieldValue | null }>(
      `SELECT id::text AS id, field, value FROM field_state
        WHERE tbl = $1 AND tenant = $2 AND ($3::jsonb IS NULL OR id::text IN (SELECT jsonb_array_elements_text($3::jsonb)))`,
      [table, tenant, ids === undefined ? null : JSON.stringify(ids)],
    );
    const records = new Map<string, Fields>();
    for (const r of rows) {
      const fields = records.get(r.id) ?? {};
      fields[r.field] = r.value ?? null;
      records.set(r.id, fields);
    }
    return records;
  }

  /**
   * The apps' call records for these PBX Call-IDs. A forked call rings several apps, and each keeps a
   * record of it: the one of the user who took it wins, then any that carries facts.
   */
  private async appFacts(
    tenant: string,
    callIds: readonly string[],
  ): Promise<Map<string, { call: Fields; noteSubject: string | null; contactName: string | null }>> {
    const out = new Map<string, { call: Fields; noteSubject: string | null; contactName: string | null }>();
    if (callIds.length === 0) return out;
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id::text AS id FROM field_state
        WHERE tbl = 'call' AND tenant = $1 AND field = 'pbx_call_id' AND value #>> '{}' IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [tenant, JSON.stringify(callIds)],
    );
    const calls = await this.records(
      tenant,
      'call',
      rows.map((r) => r.id),
    );
    const score = (c: Fields): number =>
      (c.outcome === 'answered' ? 2 : 0) + (c.hold_seconds != null || c.after_call_work_seconds != null ? 1 : 0);
    const best = new Map<string, [string, Fields]>();
    for (const [id, call] of calls) {
      const key = str(call.pbx_call_id);
      if (key === null || call._deleted === true) continue;
      const current = best.get(key);
      if (!current || score(call) > score(current[1])) best.set(key, [id, call]);
    }
    const appIds = [...best.values()].map(([id]) => id);
    const { rows: noteRows } = await this.db.query<{ id: string }>(
      `SELECT id::text AS id FROM field_state
        WHERE tbl = 'note' AND tenant = $1 AND field = 'call_id' AND value #>> '{}' IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [tenant, JSON.stringify(appIds)],
    );
    const notes = await this.records(
      tenant,
      'note',
      noteRows.map((r) => r.id),
    );
    const subjectOf = new Map<string, string>();
    for (const note of notes.values()) {
      const callId = str(note.call_id);
      const subject = str(note.subject);
      if (callId !== null && subject !== null && note._deleted !== true && !subjectOf.has(callId)) subjectOf.set(callId, subject);
    }
    const contactIds = [...best.values()].map(([, c]) => str(c.contact_id)).filter((v): v is string => v !== null);
    const contacts = await this.records(tenant, 'contact', contactIds);
    for (const [pbxCallId, [id, call]] of best) {
      const contact = str(call.contact_id);
      out.set(pbxCallId, {
        call,
        noteSubject: subjectOf.get(id) ?? null,
        contactName: contact === null ? null : str(contacts.get(contact)?.name),
      });
    }
    return out;
  }
}
