import { v5 as uuidv5 } from 'uuid';
import { TENANT_RECORD_NAMESPACE, type CallerLookup, type Tenant } from '../../../protocol/index.js';
import type { z } from 'zod';
import type { DirectoryTenant } from '../../../protocol/index.js';
import { fromSql } from './columns.js';
import type { ContactRepository } from './contacts.js';
import type { PhoneNormaliser } from './phone-normaliser.js';
import type { RecordWriter } from './writer.js';

interface TenantRow {
  id: string;
  tenant_id: string;
  name: string | null;
  numbers: string | null;
  greeting: string | null;
  hours: string | null;
  mobile: string | null;
}

export function tenantRecordId(slug: string): string {
  return uuidv5(slug, TENANT_RECORD_NAMESPACE);
}

function toTenant(row: TenantRow): Tenant {
  const numbers = fromSql('tenant', 'numbers', row.numbers);
  return {
    id: row.id,
    tenant: row.tenant_id,
    name: row.name ?? row.tenant_id,
    numbers: Array.isArray(numbers) ? numbers : [],
    greeting: row.greeting,
    hours: row.hours,
    mobile: row.mobile,
  };
}

/** Firms and the two lookups of an incoming call: which firm was dialled, who is calling. */
export class LookupService {
  constructor(
    private readonly writer: RecordWriter,
    private readonly phones: PhoneNormaliser,
    private readonly contacts: ContactRepository,
  ) {}

  tenants(): Tenant[] {
    const rows = this.writer.stmt('SELECT * FROM tenant WHERE _deleted = 0 ORDER BY name COLLATE NOCASE').all() as TenantRow[];
    // One entry per firm: a store seeded under an earlier record id may still hold a second row for it.
    const bySlug = new Map<string, TenantRow>();
    for (const row of rows) {
      if (!bySlug.has(row.tenant_id) || row.id === tenantRecordId(row.tenant_id)) bySlug.set(row.tenant_id, row);
    }
    return [...bySlug.values()].map(toTenant);
  }

  tenant(slug: string): Tenant | null {
    const row = this.writer
      .stmt('SELECT * FROM tenant WHERE tenant_id = ? AND _deleted = 0 ORDER BY id = ? DESC LIMIT 1')
      .get(slug, tenantRecordId(slug)) as TenantRow | undefined;
    return row ? toTenant(row) : null;
  }

  tenantByNumber(number: string): Tenant | null {
    const e164 = this.phones.e164(number);
    if (!e164) return null;
    const row = this.writer
      .stmt(
        `SELECT t.* FROM tenant_number n JOIN tenant t ON t.id = n.record_id
         WHERE n.e164 = ? AND t._deleted = 0 ORDER BY t.id LIMIT 1`,
      )
      .get(e164) as TenantRow | undefined;
    return row ? toTenant(row) : null;
  }

  /** Contact ids with this number, the dialled firm's first. */
  private matches(e164: string): { id: string; tenant: string; name: string }[] {
    return this.writer
      .stmt(
        `SELECT c.id AS id, c.tenant_id AS tenant, coalesce(c.name, '') AS name FROM contact_phone p
         JOIN contact c ON c.id = p.contact_id
         WHERE p.e164 = ? AND p._deleted = 0 AND c._deleted = 0 LIMIT 20`,
      )
      .all(e164) as { id: string; tenant: string; name: string }[];
  }

  contactForNumber(number: string, tenant: string): string | null {
    const e164 = this.phones.e164(number);
    return e164 ? (this.matches(e164).find((m) => m.tenant === tenant)?.id ?? null) : null;
  }

  caller(number: string, dialled?: string): CallerLookup {
    const dialledTenant = dialled ? this.tenantByNumber(dialled) : null;
    const e164 = this.phones.e164(number);
    if (!e164) return { e164: null, tenant: dialledTenant, contact: null, matches: [] };
    const matches = this.matches(e164);
    const best =
      (dialledTenant && matches.find((m) => m.tenant === dialledTenant.tenant)) ?? (dialledTenant ? undefined : matches[0]);
    const contact = best ? this.contacts.get(best.id) : null;
    return { e164, tenant: dialledTenant ?? (contact ? this.tenant(contact.tenant) : null), contact, matches };
  }

  /**
   * Firms from the server's directory (GET /directory/me), written without a version so the synced
   * tenant records, when they arrive, always win.
   */
  seedTenants(tenants: z.infer<typeof DirectoryTenant>[]): void {
    this.writer.transaction(() => {
      for (const t of tenants) {
        this.writer.writeUnversioned('tenant', tenantRecordId(t.id), t.id, {
          name: t.name,
          numbers: t.numbers,
          greeting: t.greeting ?? null,
          hours: t.hours ?? null,
          mobile: t.mobile ?? null,
        });
      }
    });
  }
}
