/**
 * Version 8: what the app adds to a call for billing (docs/billing.md) — the PBX's Call-ID that joins
 * it to the call detail record, hold, after-call work, its own measure of the connected time, and
 * "nicht berechnen" — the lead's records (a firm's contract versions, items billed per piece) and the
 * server's record of a budget firm's consumption.
 */
export const up = `
ALTER TABLE "call" ADD COLUMN pbx_call_id TEXT;
ALTER TABLE "call" ADD COLUMN hold_seconds TEXT;
ALTER TABLE "call" ADD COLUMN after_call_work_seconds TEXT;
ALTER TABLE "call" ADD COLUMN app_talk_seconds TEXT;
ALTER TABLE "call" ADD COLUMN no_bill_reason TEXT;
ALTER TABLE "call" ADD COLUMN no_bill_confirmed_by TEXT;
CREATE TABLE firm_contract (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  valid_from TEXT, terms TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0, _v TEXT
);
CREATE INDEX firm_contract_by_tenant ON firm_contract(tenant_id, valid_from);
CREATE TABLE billing_item (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  date TEXT, description TEXT, quantity TEXT, unit_cents TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0, _v TEXT
);
CREATE INDEX billing_item_by_tenant ON billing_item(tenant_id, date);
CREATE TABLE firm_usage (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  period TEXT, used_seconds TEXT, included_seconds TEXT, percent TEXT, alert_craftsman INTEGER,
  _deleted INTEGER NOT NULL DEFAULT 0, _v TEXT
);
`;
