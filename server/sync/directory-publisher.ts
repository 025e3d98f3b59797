import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  HybridLogicalClock,
  describeFault,
  findUnstorable,
  isNodeId,
  OFFICE_HOURS_FIELD,
  TENANT_RECORD_NAMESPACE,
  type FieldValue,
} from '../../protocol/index.js';
import { describeGreetingProblem, greetingProblems } from '../../protocol/greeting.js';
import type { Database } from '../db/database.js';
import type { Directory } from '../home/directory.js';
import { WRITE_LOCK, currentCursor, notifyCommit, writeFields, type FieldWrite } from './field-writes.js';
import { firmScheduleRecordId } from './firm-schedule-id.js';

export const SERVER_AUTHOR = 'server';

export function tenantRecordId(tenant: string): string {
  return uuidv5(tenant, TENANT_RECORD_NAMESPACE);
}

/** The server's HLC node id, kept in the home so versions stay comparable across restarts. */
export function serverNodeId(file: string): string {
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (isNodeId(id)) return id;
  }
  const id = randomBytes(8).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

/**
 * Publishes directory data (firm name, numbers, greeting, hours, mobile) as server-authored
 * `tenant` field changes, so clients learn their firms through the ordinary pull. Only fields whose
 * value differs from what is stored get a new version; a firm removed from the directory gets the
 * `_deleted` tombstone.
 */
export class DirectoryPublisher {
  private clock: HybridLogicalClock | undefined;

  constructor(
    private readonly db: Database,
    private readonly nodeId: string,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
    /** The server's clock: its versions must order with those SyncService stamps against the same time. */
    private readonly now: () => number = Date.now,
  ) {}

  async publish(directory: Directory): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const { rows } = await tx.query<{ id: string; tenant: string; field: string; value: FieldValue; version: string }>(
        `SELECT id::text AS id, tenant, field, value, version FROM field_state WHERE tbl = 'tenant'`,
      );
      const clock = (this.clock ??= new HybridLogicalClock(this.nodeId, this.now));
      for (const r of rows) clock.receive(r.version);
      const stored = new Map(rows.map((r) => [`${r.id}:${r.field}`, JSON.stringify(r.value ?? null)]));
      const desired = new Map<string, { tenant: string; fields: Record<string, FieldValue> }>();
      for (const t of directory.tenants) {
        // Still published: the desks show an unknown placeholder as written, which beats no greeting.
        const problems = t.greeting ? greetingProblems(t.greeting) : [];
        if (problems.length > 0) {
          this.log('greeting template has problems', { tenant: t.id, problems: problems.map(describeGreetingProblem) });
        }
        desired.set(tenantRecordId(t.id), {
          tenant: t.id,
          fields: {
            name: t.name,
            numbers: t.numbers,
            greeting: t.greeting ?? null,
            hours: t.hours ?? null,
            mobile: t.mobile ?? null,
            _deleted: false,
          },
        });
      }
      for (const r of rows) {
        if (!desired.has(r.id)) desired.set(r.id, { tenant: r.tenant, fields: { _deleted: true } });
      }
      const writes: FieldWrite[] = [];
      for (const [id, { tenant, fields }] of desired) {
        for (const [field, value] of Object.entries(fields)) {
          if (stored.get(`${id}:${field}`) === JSON.stringify(value)) continue;
          // One value the database cannot hold must not keep every firm's update from being published.
          const fault = findUnstorable(value);
          if (fault) {
            this.log('directory value not published', { tenant, field, reason: describeFault(fault) });
            continue;
          }
          writes.push({ table: 'tenant', id, tenant, field, value, version: clock.tick() });
        }
      }
      writes.push(...(await officeHoursForNewFirms(tx, directory, clock)));
      if (writes.length === 0) return 0;
      await writeFields(tx, writes, SERVER_AUTHOR);
      await notifyCommit(tx, [...new Set(writes.map((w) => w.tenant))], await currentCursor(tx));
      return writes.length;
    });
  }
}

/**
 * The office's working hours are one week held in every firm's schedule record: a firm new to the
 * directory gets the newest week the others hold, so it is not left on the default.
 */
async function officeHoursForNewFirms(
  tx: Pick<Database, 'query'>,
  directory: Directory,
  clock: HybridLogicalClock,
): Promise<FieldWrite[]> {
  const { rows } = await tx.query<{ tenant: string; field: string; value: FieldValue; version: string }>(
    `SELECT tenant, field, value, version FROM field_state WHERE tbl = 'firm_schedule' AND field IN ($1, '_deleted')`,
    [OFFICE_HOURS_FIELD],
  );
  const held = rows.filter((r) => r.field === OFFICE_HOURS_FIELD && typeof r.value === 'string');
  if (held.length === 0) return [];
  for (const r of rows) clock.receive(r.version);
  // Versions are HLC text that sorts in time order.
  const newest = held.reduce((a, b) => (b.version > a.version ? b : a));
  const withHours = new Set(held.map((r) => r.tenant));
  const withRecord = new Set(rows.map((r) => r.tenant));
  const writes: FieldWrite[] = [];
  for (const t of directory.tenants) {
    if (withHours.has(t.id)) continue;
    const id = firmScheduleRecordId(t.id);
    writes.push({
      table: 'firm_schedule',
      id,
      tenant: t.id,
      field: OFFICE_HOURS_FIELD,
      value: newest.value,
      version: clock.tick(),
    });
    if (!withRecord.has(t.id))
      writes.push({ table: 'firm_schedule', id, tenant: t.id, field: '_deleted', value: false, version: clock.tick() });
  }
  return writes;
}
