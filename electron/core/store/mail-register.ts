import { randomUUID } from 'node:crypto';
import {
  DEFAULT_RETENTION_YEARS,
  HostError,
  MAIL_ERRORS,
  MAIL_STATUSES,
  MailDisposition,
  MailKind,
  MailStatus,
  ReceiptChange,
  StatusStep,
  SYNC_FIELDS,
  mayDestroy,
  mayMoveTo,
  type IdentityRole,
  type MailItem,
  type MailItemCreate,
  type MailRetentionYears,
  type RetentionDue,
} from '../../../protocol/index.js';
import { addYears, berlinDay, parseLog } from './mail-values.js';
import type { RecordWriter } from './writer.js';

/** Who acts on the register: the profile's identity (user id, role, the firms it serves). */
export interface MailActor {
  user: string;
  role: IdentityRole;
  tenants: readonly string[];
}

export interface MailRegisterOptions {
  actor: () => MailActor | undefined;
  /** The office's overrides of DEFAULT_RETENTION_YEARS (settings `mailRetentionYears`). */
  retentionYears?: () => MailRetentionYears;
}

export interface MailListFilter {
  tenant?: string | undefined;
  status?: MailStatus | undefined;
  unread?: boolean | undefined;
  offset: number;
  limit: number;
}

interface Row {
  id: string;
  tenant_id: string;
  received_on: string;
  received_log: string | null;
  sender: string;
  kind: string;
  subject: string | null;
  deadline: string | null;
  handler: string | null;
  status: string | null;
  status_log: string | null;
  disposition: string | null;
  disposal_confirmed_by: string | null;
  read_at: string | null;
}

// An item is listed once its identifying fields are there: a record pulled over two pages is not half shown.
const complete = (m = '') =>
  `${m}received_on IS NOT NULL AND ${m}sender IS NOT NULL AND ${m}kind IS NOT NULL AND ${m}_deleted = 0`;
const COMPLETE = complete();
// The register's columns are its sync fields (the tombstone is read through COMPLETE).
const FIELDS = ['id', 'tenant_id', ...SYNC_FIELDS.mail_item.filter((field) => field !== '_deleted')];
const COLUMNS = FIELDS.join(', ');

/**
 * The mail register over the local store: each operation checks the role and the rules of
 * protocol/mail.ts, then writes the changed fields through the writer (synced like every record).
 * The server checks the same rules again on push, so no client can bypass them.
 */
export class MailRegister {
  constructor(
    private readonly writer: RecordWriter,
    private readonly options: MailRegisterOptions,
  ) {}

  list(filter: MailListFilter): MailItem[] {
    const rows = this.writer.db
      .prepare(
        `SELECT ${COLUMNS} FROM mail_item
          WHERE ${COMPLETE} AND (@tenant IS NULL OR tenant_id = @tenant)
            AND (@status IS NULL OR status = @status) AND (@unread IS NULL OR (read_at IS NULL) = @unread)
          ORDER BY (status = 'erledigt'), received_on DESC, id
          LIMIT @limit OFFSET @offset`,
      )
      .all({
        tenant: filter.tenant ?? null,
        status: filter.status ?? null,
        unread: filter.unread === undefined ? null : filter.unread ? 1 : 0,
        limit: filter.limit,
        offset: filter.offset,
      }) as Row[];
    return rows.map((row) => this.toItem(row));
  }

  get(id: string): MailItem {
    const row = this.writer.db.prepare(`SELECT ${COLUMNS} FROM mail_item WHERE id = ? AND ${COMPLETE}`).get(id) as
      Row | undefined;
    if (!row) throw new HostError('not_found', `mail item ${id} not found`, 'id');
    return this.toItem(row);
  }

  register(input: MailItemCreate): MailItem {
    const actor = this.office(input.tenant);
    const today = this.today();
    const received = input.received_on ?? today;
    if (received > today) throw new HostError('validation', 'received_on lies in the future', 'received_on');
    const reason = input.received_reason?.trim();
    if (received < today && !reason) {
      throw new HostError(MAIL_ERRORS.receiptReason, 'a past date of receipt needs a reason', 'received_reason');
    }
    const at = this.now();
    // A letter registered late keeps why its date of receipt is not the day it was entered.
    const receivedLog: ReceiptChange[] =
      received < today ? [{ from: today, to: received, reason: reason!, by: actor.user, at }] : [];
    const statusLog: StatusStep[] = [{ status: 'eingegangen', by: actor.user, at }];
    const id = randomUUID();
    this.writer.insertLocal('mail_item', id, input.tenant, {
      received_on: received,
      received_log: JSON.stringify(receivedLog),
      sender: input.sender.trim(),
      kind: input.kind,
      subject: input.subject ?? null,
      deadline: input.deadline ?? null,
      handler: input.handler ?? null,
      status: 'eingegangen',
      status_log: JSON.stringify(statusLog),
      disposition: null,
      // read_at and disposal_confirmed_by are the craftsman's to write (the server refuses them from the office).
      _deleted: false,
    });
    return this.get(id);
  }

  update(
    id: string,
    patch: { sender?: string; kind?: MailKind; subject?: string | null; deadline?: string | null; handler?: string | null },
  ): MailItem {
    const item = this.get(id);
    this.office(item.tenant);
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (typeof fields.sender === 'string') fields.sender = fields.sender.trim();
    if (
      fields.kind !== undefined &&
      item.disposition === 'vernichtet' &&
      !mayDestroy(fields.kind as MailKind, item.disposal_confirmed_by)
    ) {
      throw new HostError(
        MAIL_ERRORS.unconfirmedDestruction,
        'a destroyed item cannot become a kind that needs confirmation',
        'kind',
      );
    }
    if (Object.keys(fields).length > 0) this.writer.writeLocal('mail_item', id, item.tenant, fields);
    return this.get(id);
  }

  changeReceipt(id: string, receivedOn: string, reason: string): MailItem {
    const item = this.get(id);
    const actor = this.office(item.tenant);
    if (!reason.trim()) throw new HostError(MAIL_ERRORS.receiptReason, 'a new date of receipt needs a reason', 'reason');
    if (receivedOn > this.today()) throw new HostError('validation', 'received_on lies in the future', 'received_on');
    if (receivedOn === item.received_on) return item;
    const entry: ReceiptChange = {
      from: item.received_on,
      to: receivedOn,
      reason: reason.trim(),
      by: actor.user,
      at: this.now(),
    };
    // The log first: should a push be cut between the two, the server finds the reason already stored.
    this.writer.writeLocal('mail_item', id, item.tenant, {
      received_log: JSON.stringify([...item.received_log, entry]),
      received_on: receivedOn,
    });
    return this.get(id);
  }

  /** One step forward in the status flow (steps may be skipped), logged with who, when and the comment. */
  advance(id: string, status: MailStatus, disposition?: MailDisposition, comment?: string): MailItem {
    const item = this.get(id);
    const actor = this.serving(item.tenant);
    if (!mayMoveTo(item.status, status)) {
      throw new HostError(MAIL_ERRORS.backwards, `mail item ${id} is ${item.status}; it cannot move to ${status}`, 'status');
    }
    if (status === 'erledigt' && !disposition) {
      throw new HostError(MAIL_ERRORS.noDisposition, 'erledigt needs a disposition', 'disposition');
    }
    if (status !== 'erledigt' && disposition) {
      throw new HostError('validation', 'a disposition belongs to the step erledigt', 'disposition');
    }
    if (disposition === 'vernichtet' && !mayDestroy(item.kind, item.disposal_confirmed_by)) {
      throw new HostError(
        MAIL_ERRORS.unconfirmedDestruction,
        `a ${item.kind} is destroyed only after the craftsman confirmed it`,
        'disposition',
      );
    }
    const step: StatusStep = {
      status,
      ...(disposition ? { disposition } : {}),
      ...(comment?.trim() ? { comment: comment.trim() } : {}),
      by: actor.user,
      at: this.now(),
    };
    this.writer.writeLocal('mail_item', id, item.tenant, {
      status,
      status_log: JSON.stringify([...item.status_log, step]),
      ...(disposition ? { disposition } : {}),
    });
    return this.get(id);
  }

  /** The firm's craftsman allows the paper to be destroyed. */
  confirmDisposal(id: string): MailItem {
    const item = this.get(id);
    const actor = this.craftsman(item.tenant);
    if (item.disposal_confirmed_by) return item;
    this.writer.writeLocal('mail_item', id, item.tenant, { disposal_confirmed_by: actor.user });
    return this.get(id);
  }

  /**
   * The firm's craftsman opened it: the first time is kept. Anyone else opening it changes nothing
   * (the office reads every item; "unread" is the craftsman's).
   */
  markRead(id: string): MailItem {
    const item = this.get(id);
    const actor = this.serving(item.tenant);
    if (actor.role !== 'craftsman' || item.read_at) return item;
    this.writer.writeLocal('mail_item', id, item.tenant, { read_at: this.now() });
    return this.get(id);
  }

  /** Erledigt items that still have scans and whose retention ended, longest due first. */
  retentionDue(): RetentionDue[] {
    this.lead();
    const today = this.today();
    const overrides = this.options.retentionYears?.() ?? {};
    const rows = this.writer.db
      .prepare(
        `SELECT ${FIELDS.map((c) => `m.${c}`).join(', ')} FROM mail_item m
          WHERE ${complete('m.')} AND m.status = 'erledigt'
            AND EXISTS (SELECT 1 FROM document d WHERE d.attached_table = 'mail_item' AND d.attached_id = m.id AND d._deleted = 0)`,
      )
      .all() as Row[];
    const due: RetentionDue[] = [];
    for (const row of rows) {
      const item = this.toItem(row);
      const done = item.status_log.findLast((s) => s.status === 'erledigt');
      if (!done) continue;
      const dueSince = addYears(berlinDay(Date.parse(done.at)), overrides[item.kind] ?? DEFAULT_RETENTION_YEARS[item.kind]);
      if (dueSince <= today) due.push({ item, dueSince });
    }
    return due.sort((a, b) => (a.dueSince < b.dueSince ? -1 : a.dueSince > b.dueSince ? 1 : 0));
  }

  /**
   * Deletes the scans of the given items (synced tombstones of their `document` records; the server
   * collects bytes no record refers to any more). Every id must be due: nothing is deleted otherwise.
   */
  purge(ids: readonly string[]): { purged: number } {
    const due = new Map(this.retentionDue().map((d) => [d.item.id, d.item]));
    const notDue = ids.find((id) => !due.has(id));
    if (notDue) throw new HostError('conflict', `mail item ${notDue} is not due for deletion`, 'ids');
    let purged = 0;
    this.writer.transaction(() => {
      for (const id of new Set(ids)) {
        const item = due.get(id)!;
        for (const doc of item.documents) {
          this.writer.writeLocal('document', doc, item.tenant, { _deleted: true });
          purged++;
        }
      }
    });
    return { purged };
  }

  private documents(id: string): string[] {
    return this.writer.db
      .prepare(`SELECT id FROM document WHERE attached_table = 'mail_item' AND attached_id = ? AND _deleted = 0 ORDER BY rowid`)
      .pluck()
      .all(id) as string[];
  }

  private toItem(row: Row): MailItem {
    const receivedLog = parseLog(row.received_log, ReceiptChange);
    const statusLog = parseLog(row.status_log, StatusStep);
    const times = [...statusLog.map((s) => s.at), ...receivedLog.map((r) => r.at), ...(row.read_at ? [row.read_at] : [])].sort();
    const kind = MailKind.safeParse(row.kind);
    const status = MailStatus.safeParse(row.status);
    const disposition = MailDisposition.safeParse(row.disposition);
    return {
      id: row.id,
      tenant: row.tenant_id,
      received_on: row.received_on,
      received_log: receivedLog,
      sender: row.sender,
      // A value a newer app version wrote is shown as the nearest this one knows, never refused whole.
      kind: kind.success ? kind.data : 'sonstiges',
      subject: row.subject,
      deadline: row.deadline,
      handler: row.handler,
      status: status.success ? status.data : MAIL_STATUSES[0],
      status_log: statusLog,
      disposition: disposition.success ? disposition.data : null,
      disposal_confirmed_by: row.disposal_confirmed_by,
      read_at: row.read_at,
      documents: this.documents(row.id),
      created_at: statusLog[0]?.at ?? `${row.received_on}T00:00:00.000Z`,
      updated_at: times.at(-1) ?? `${row.received_on}T00:00:00.000Z`,
    };
  }

  private now(): string {
    return new Date(this.writer.now()).toISOString();
  }

  private today(): string {
    return berlinDay(this.writer.now());
  }

  private actor(): MailActor {
    const actor = this.options.actor();
    if (!actor) throw new HostError('not_configured', 'the mail register needs an identity');
    return actor;
  }

  /** Anyone who serves the firm: the lead every firm, others the firms of their certificate. */
  private serving(tenant: string): MailActor {
    const actor = this.actor();
    if (actor.role !== 'lead' && !actor.tenants.includes(tenant)) {
      throw new HostError('forbidden', `${actor.user} does not serve ${tenant}`, 'tenant');
    }
    return actor;
  }

  /** The office: a teleworker or the lead serving the firm registers and edits its mail. */
  private office(tenant: string): MailActor {
    const actor = this.serving(tenant);
    if (actor.role === 'craftsman') throw new HostError('forbidden', 'the office registers mail, not the craftsman', 'tenant');
    return actor;
  }

  private craftsman(tenant: string): MailActor {
    const actor = this.serving(tenant);
    if (actor.role !== 'craftsman') throw new HostError('forbidden', "only the firm's craftsman confirms this", 'tenant');
    return actor;
  }

  private lead(): MailActor {
    const actor = this.actor();
    if (actor.role !== 'lead') throw new HostError('forbidden', 'only the office lead decides on retention', 'role');
    return actor;
  }
}
