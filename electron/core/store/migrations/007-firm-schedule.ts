/**
 * Version 7: a firm's schedule (one record per tenant, protocol/firm-schedule.ts); each column holds
 * one part as the JSON text it syncs as.
 */
export const up = `
CREATE TABLE firm_schedule (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  bundesland TEXT, consultation TEXT, service TEXT, closures TEXT, emergency TEXT, override TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0, _v TEXT
);
CREATE INDEX firm_schedule_by_tenant ON firm_schedule(tenant_id);
`;
