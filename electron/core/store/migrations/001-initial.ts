/**
 * Version 1: the synced tables (names and columns are those of SYNC_FIELDS, so a field change maps
 * onto one column), derived lookup data, field versions, the outbox and the FTS index.
 * No foreign keys between synced tables: a pulled phone may arrive before its contact.
 */
export const up = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE tenant (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  name TEXT, numbers TEXT, greeting TEXT, hours TEXT, mobile TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tenant_by_slug ON tenant(tenant_id);
-- Derived from tenant.numbers (E.164): the dialled number of an incoming call finds the firm.
CREATE TABLE tenant_number (
  e164 TEXT NOT NULL, record_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
  PRIMARY KEY (e164, record_id)
) WITHOUT ROWID;

CREATE TABLE contact (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL,
  name TEXT, company TEXT, email TEXT, street TEXT, postal_code TEXT, city TEXT, notes TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX contact_by_name ON contact(_deleted, name COLLATE NOCASE);
CREATE INDEX contact_by_tenant_name ON contact(tenant_id, _deleted, name COLLATE NOCASE);

CREATE TABLE contact_phone (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  contact_id TEXT, kind TEXT, number TEXT,
  e164 TEXT, valid INTEGER NOT NULL DEFAULT 0,
  _deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_phone_by_contact ON contact_phone(contact_id);
CREATE INDEX contact_phone_by_e164 ON contact_phone(e164) WHERE e164 IS NOT NULL AND _deleted = 0;

CREATE TABLE "call" (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  direction TEXT, remote_number TEXT, remote_e164 TEXT, dialled_number TEXT, contact_id TEXT,
  started_at TEXT, answered_at TEXT, ended_at TEXT, outcome TEXT, taken_by TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX call_by_started ON "call"(started_at);
CREATE INDEX call_by_tenant ON "call"(tenant_id, started_at);
CREATE INDEX call_by_contact ON "call"(contact_id, started_at);
CREATE INDEX call_by_remote ON "call"(remote_e164, started_at);

CREATE TABLE note (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  call_id TEXT, contact_id TEXT, subject TEXT, body TEXT,
  callback_requested INTEGER, callback_number TEXT, callback_due TEXT,
  status TEXT, assignee TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX note_by_tenant ON note(tenant_id, status, created_at);
CREATE INDEX note_by_contact ON note(contact_id, created_at);
CREATE INDEX note_by_call ON note(call_id);

CREATE TABLE appointment (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  contact_id TEXT, starts_at TEXT, ends_at TEXT, place TEXT, subject TEXT, notes TEXT, status TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX appointment_by_tenant ON appointment(tenant_id, starts_at);
CREATE INDEX appointment_by_contact ON appointment(contact_id, starts_at);

-- One version per field of every record: the unit of sync.
CREATE TABLE field_version (
  tbl TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, version TEXT NOT NULL,
  PRIMARY KEY (tbl, id, field)
) WITHOUT ROWID;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, record_id TEXT NOT NULL, tenant_id TEXT NOT NULL, field TEXT NOT NULL,
  value TEXT NOT NULL, version TEXT NOT NULL
);
CREATE INDEX outbox_by_field ON outbox(tbl, record_id, field);
-- Pushed changes the server refused as superseded, kept until the winning value arrives by pull.
CREATE TABLE superseded (
  outbox_id INTEGER PRIMARY KEY,
  tbl TEXT NOT NULL, record_id TEXT NOT NULL, tenant_id TEXT NOT NULL, field TEXT NOT NULL,
  value TEXT NOT NULL, version TEXT NOT NULL
);
CREATE INDEX superseded_by_field ON superseded(tbl, record_id, field);
CREATE TABLE conflict (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, record_id TEXT NOT NULL, tenant_id TEXT NOT NULL, field TEXT NOT NULL,
  lost_value TEXT NOT NULL, winning_value TEXT NOT NULL, winning_version TEXT NOT NULL,
  author TEXT NOT NULL, at TEXT NOT NULL
);

-- Contentless: the text lives in contact/contact_phone; rowid = contact.rowid.
CREATE VIRTUAL TABLE contact_fts USING fts5(
  name, company, email, numbers,
  content='', contentless_delete=1,
  tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
`;
