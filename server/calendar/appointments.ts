import { parseVersion } from '../../protocol/hlc.js';
import type { Queryable } from '../db/database.js';

/** One appointment as the feed sees it: folded from its `field_state` rows. */
export interface FeedAppointment {
  id: string;
  startsAt: string;
  endsAt: string | null;
  place: string | null;
  subject: string | null;
  notes: string | null;
  status: string | null;
  deleted: boolean;
  contactName: string | null;
  /** The greatest change sequence among its fields: rises with every accepted edit. */
  seq: bigint;
  /** Wall time of the newest field version (HLC milliseconds). */
  modifiedMs: number;
}

interface Row {
  id: string;
  field: string;
  value: unknown;
  seq: string;
  version: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

function versionMs(version: string): number {
  try {
    return parseVersion(version).ms;
  } catch {
    return 0;
  }
}

/** Every appointment of one tenant, with the name of its contact; records without a valid start are left out. */
export async function loadAppointments(db: Queryable, tenant: string): Promise<FeedAppointment[]> {
  const { rows } = await db.query<Row>(
    `SELECT id::text AS id, field, value, seq::text AS seq, version
       FROM field_state WHERE tbl = 'appointment' AND tenant = $1`,
    [tenant],
  );
  const byId = new Map<string, Map<string, Row>>();
  for (const row of rows) {
    let fields = byId.get(row.id);
    if (!fields) byId.set(row.id, (fields = new Map<string, Row>()));
    fields.set(row.field, row);
  }
  const contactIds = [...new Set(rows.filter((r) => r.field === 'contact_id' && text(r.value)).map((r) => r.value as string))];
  const names = new Map<string, string>();
  if (contactIds.length > 0) {
    const { rows: contacts } = await db.query<{ id: string; value: unknown }>(
      `SELECT id::text AS id, value FROM field_state
        WHERE tbl = 'contact' AND tenant = $1 AND field = 'name' AND id::text = ANY($2::text[])`,
      [tenant, contactIds],
    );
    for (const c of contacts) if (text(c.value)) names.set(c.id, c.value as string);
  }
  const result: FeedAppointment[] = [];
  for (const [id, fields] of byId) {
    const value = (field: string) => fields.get(field)?.value ?? null;
    const startsAt = text(value('starts_at'));
    if (!startsAt || Number.isNaN(Date.parse(startsAt))) continue;
    const endsAt = text(value('ends_at'));
    let seq = 0n;
    let modifiedMs = 0;
    for (const row of fields.values()) {
      if (BigInt(row.seq) > seq) seq = BigInt(row.seq);
      modifiedMs = Math.max(modifiedMs, versionMs(row.version));
    }
    const contactId = text(value('contact_id'));
    result.push({
      id,
      startsAt,
      endsAt: endsAt && !Number.isNaN(Date.parse(endsAt)) ? endsAt : null,
      place: text(value('place')),
      subject: text(value('subject')),
      notes: text(value('notes')),
      status: text(value('status')),
      deleted: value('_deleted') === true,
      contactName: contactId ? (names.get(contactId) ?? null) : null,
      seq,
      modifiedMs,
    });
  }
  return result.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}
