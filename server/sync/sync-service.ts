import {
  MAX_PULL_LIMIT,
  setGrouped,
  toWireVersion,
  type DirectoryMe,
  type FieldValue,
  type Grouped,
  type PullResponse,
  type PushResponse,
  type PushResult,
  type SyncTable,
  type WirePulledField,
} from '../../protocol/index.js';
import type { AccessControl, Caller } from '../auth/access.js';
import type { Database } from '../db/database.js';
import type { DirectoryUserEntry } from '../home/directory.js';
import { SyncHttpError } from './errors.js';
import { WRITE_LOCK, currentCursor, notifyCommit, writeFields } from './field-writes.js';
import { checkMailRules } from './mail-rules.js';
import { validatePush } from './validate-push.js';

/** What the sync API needs of access control: the directory, and who may serve which tenant. */
export type TenantAccess = Pick<AccessControl, 'directory' | 'mayServe' | 'mayWrite' | 'tenantsServed' | 'hiddenTables'>;

/** Push, pull and the caller's directory view: the sync API without HTTP. */
export class SyncService {
  constructor(
    private readonly db: Database,
    private readonly access: TenantAccess,
    /** Every answer carries this clock's time, and pushed versions are judged against it. */
    private readonly now: () => number = Date.now,
  ) {}

  async push(caller: Caller, body: unknown): Promise<PushResponse> {
    const changes = validatePush(
      body,
      (tenant) => this.access.mayServe(caller.user, tenant),
      this.now(),
      (tenant, table, field) => this.access.mayWrite(caller.user, tenant, table, field),
    );
    if (changes.length === 0) return { results: {}, cursor: await currentCursor(this.db), time: this.now() };
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      await checkMailRules(tx, changes, caller.user.id);
      const outcomes = await writeFields(tx, changes, caller.user.id);
      const cursor = await currentCursor(tx);
      const tenants = [...new Set(changes.filter((_, i) => outcomes[i]?.status === 'applied').map((c) => c.tenant))];
      if (tenants.length > 0) await notifyCommit(tx, tenants, cursor);
      const results: Grouped<PushResult> = {};
      changes.forEach((c, i) => setGrouped(results, c, outcomes[i]!));
      return { results, cursor, time: this.now() };
    });
  }

  async pull(caller: Caller, query: { after?: unknown; limit?: unknown }): Promise<PullResponse> {
    const after = query.after ?? '0';
    if (typeof after !== 'string' || !/^\d{1,18}$/.test(after)) {
      throw new SyncHttpError(400, 'invalid_cursor', 'after: must be a cursor returned by the server ("0" at first)');
    }
    const limitText = query.limit ?? '1000';
    const limit = typeof limitText === 'string' && /^\d{1,5}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_PULL_LIMIT)) {
      throw new SyncHttpError(400, 'invalid_limit', `limit: must be an integer from 1 to ${MAX_PULL_LIMIT}`);
    }
    const { rows } = await this.db.query<{
      table: SyncTable;
      id: string;
      tenant: string;
      field: string;
      value: FieldValue | null;
      version: string;
      seq: string;
      author: string;
    }>(
      // ORDER BY the bigint column, not the text alias: "999" sorts after "1000" as text.
      `SELECT f.tbl AS "table", f.id::text AS id, f.tenant, f.field, f.value, f.version, f.seq::text AS seq, f.author
         FROM field_state f
        WHERE f.seq > $1::bigint AND f.tenant IN (SELECT jsonb_array_elements_text($2::jsonb))
          AND f.tbl NOT IN (SELECT jsonb_array_elements_text($4::jsonb))
        ORDER BY f.seq LIMIT $3`,
      [
        after,
        JSON.stringify(this.access.tenantsServed(caller.user)),
        limit + 1,
        JSON.stringify(this.access.hiddenTables(caller.user)),
      ],
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    // A page is applied in one client transaction, so its order inside does not matter: group it.
    const changes: Grouped<WirePulledField> = {};
    // jsonb null comes back as SQL NULL on one driver and as null on the other; both mean null.
    for (const c of page) setGrouped(changes, c, [c.value ?? null, toWireVersion(c.version), c.author]);
    const cursor = page.length > 0 ? page[page.length - 1]!.seq : after;
    return { changes, cursor, more, time: this.now() };
  }

  me(caller: Caller): DirectoryMe {
    const directory = this.access.directory;
    const served = (u: DirectoryUserEntry) => this.access.tenantsServed(u);
    const person = (u: DirectoryUserEntry) => ({ id: u.id, name: u.name, role: u.role, tenants: served(u) });
    const mine = new Set(served(caller.user));
    return {
      user: person(caller.user),
      tenants: directory.tenants
        .filter((t) => mine.has(t.id))
        .map((t) => ({
          id: t.id,
          name: t.name,
          numbers: t.numbers,
          ...(t.mobile ? { mobile: t.mobile } : {}),
          ...(t.greeting ? { greeting: t.greeting } : {}),
          ...(t.hours ? { hours: t.hours } : {}),
        })),
      colleagues: directory.users.filter((u) => u.id !== caller.user.id && served(u).some((t) => mine.has(t))).map(person),
    };
  }
}
