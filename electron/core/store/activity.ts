import { v7 as uuidv7 } from 'uuid';
import {
  HostError,
  SYNC_FIELDS,
  type Appointment,
  type Call,
  type FieldValue,
  type Note,
  type SyncTable,
} from '../../../protocol/index.js';
import { fromSql, quoteIdent } from './columns.js';
import type { RecordWriter } from './writer.js';

type Row = Record<string, unknown>;
type ActivityTable = Extract<SyncTable, 'call' | 'note' | 'appointment'>;

const EXTRA: Record<ActivityTable, readonly string[]> = {
  call: [],
  note: ['created_at', 'updated_at'],
  appointment: [],
};

function toRecord<T>(table: ActivityTable, row: Row): T {
  const out: Record<string, unknown> = { id: row.id, tenant: row.tenant_id };
  for (const field of SYNC_FIELDS[table]) if (field !== '_deleted') out[field] = fromSql(table, field, row[field]);
  for (const field of EXTRA[table]) out[field] = row[field];
  return out as T;
}

function defined(fields: Record<string, unknown>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value as FieldValue;
  return out;
}

function conditions() {
  const where = ['_deleted = 0'];
  const args: unknown[] = [];
  const add = (sql: string, value?: unknown) => {
    where.push(sql);
    if (value !== undefined) args.push(value);
  };
  return { where, args, add };
}

export interface CallFilter {
  tenant?: string | undefined;
  contact_id?: string | undefined;
  missed?: boolean | undefined;
  offset: number;
  limit: number;
}
export interface NoteFilter {
  tenant?: string | undefined;
  status?: 'open' | 'done' | undefined;
  contact_id?: string | undefined;
  call_id?: string | undefined;
  callback?: boolean | undefined;
  offset: number;
  limit: number;
}
export interface AppointmentFilter {
  tenant?: string | undefined;
  contact_id?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  offset: number;
  limit: number;
}

/** Calls, notes and appointments: create, patch, list with the filters the desk needs. */
export class ActivityRepository {
  constructor(
    private readonly writer: RecordWriter,
    /** Finds the contact for a caller's number within a firm, to link new calls. */
    private readonly contactForNumber: (number: string, tenant: string) => string | null,
  ) {}

  get<T>(table: ActivityTable, id: string): T {
    const row = this.writer.stmt(`SELECT * FROM ${quoteIdent(table)} WHERE id = ? AND _deleted = 0`).get(id) as Row | undefined;
    if (!row) throw new HostError('not_found', `${table} ${id} not found`, 'id');
    return toRecord<T>(table, row);
  }

  create<T>(table: ActivityTable, input: { tenant: string } & Record<string, unknown>): T {
    const { tenant, ...fields } = input;
    const values = defined(fields);
    if (table === 'note') {
      values.status ??= 'open';
      values.callback_requested ??= false;
    }
    if (table === 'appointment') values.status ??= 'planned';
    if (table === 'call' && values.contact_id === undefined && typeof values.remote_number === 'string') {
      const contact = this.contactForNumber(values.remote_number, tenant);
      if (contact) values.contact_id = contact;
    }
    const id = uuidv7();
    this.writer.insertLocal(table, id, tenant, values);
    return this.get<T>(table, id);
  }

  update<T>(table: ActivityTable, id: string, patch: Record<string, unknown>): T {
    const row = this.writer.stmt(`SELECT tenant_id FROM ${quoteIdent(table)} WHERE id = ? AND _deleted = 0`).get(id) as
      { tenant_id: string } | undefined;
    if (!row) throw new HostError('not_found', `${table} ${id} not found`, 'id');
    const values = defined(patch);
    if (Object.keys(values).length > 0) this.writer.writeLocal(table, id, row.tenant_id, values);
    return this.get<T>(table, id);
  }

  listCalls(f: CallFilter): Call[] {
    const { where, args, add } = conditions();
    if (f.tenant !== undefined) add('tenant_id = ?', f.tenant);
    if (f.contact_id !== undefined) add('contact_id = ?', f.contact_id);
    if (f.missed) add("outcome = 'missed'");
    return this.list<Call>('call', where, args, 'started_at DESC', f);
  }

  listNotes(f: NoteFilter): Note[] {
    const { where, args, add } = conditions();
    if (f.tenant !== undefined) add('tenant_id = ?', f.tenant);
    if (f.status !== undefined) add('status = ?', f.status);
    if (f.contact_id !== undefined) add('contact_id = ?', f.contact_id);
    if (f.call_id !== undefined) add('call_id = ?', f.call_id);
    if (f.callback !== undefined) add('coalesce(callback_requested, 0) = ?', f.callback ? 1 : 0);
    const order = f.callback ? 'callback_due IS NULL, callback_due, created_at DESC' : 'created_at DESC';
    return this.list<Note>('note', where, args, order, f);
  }

  listAppointments(f: AppointmentFilter): Appointment[] {
    const { where, args, add } = conditions();
    if (f.tenant !== undefined) add('tenant_id = ?', f.tenant);
    if (f.contact_id !== undefined) add('contact_id = ?', f.contact_id);
    if (f.from !== undefined) add('starts_at >= ?', f.from);
    if (f.to !== undefined) add('starts_at < ?', f.to);
    return this.list<Appointment>('appointment', where, args, 'starts_at', f);
  }

  private list<T>(
    table: ActivityTable,
    where: string[],
    args: unknown[],
    order: string,
    page: { offset: number; limit: number },
  ): T[] {
    const rows = this.writer
      .stmt(`SELECT * FROM ${quoteIdent(table)} WHERE ${where.join(' AND ')} ORDER BY ${order}, id LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as Row[];
    return rows.map((row) => toRecord<T>(table, row));
  }
}
