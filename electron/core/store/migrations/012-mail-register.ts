/**
 * Version 12: the mail register (protocol/mail.ts, docs/mail-intake.md). `mail_item` is a synced table
 * like the others; the two logs are JSON text as they travel. Its scans are `document` records
 * attached to it, found through the index on their attachment.
 */
export const up = `
CREATE TABLE mail_item (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  received_on TEXT, received_log TEXT, sender TEXT, kind TEXT, subject TEXT, deadline TEXT, handler TEXT,
  status TEXT, status_log TEXT, disposition TEXT, disposal_confirmed_by TEXT, read_at TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0, _v TEXT
);
CREATE INDEX mail_item_by_tenant ON mail_item(tenant_id, received_on);
CREATE INDEX document_by_attachment ON document(attached_table, attached_id);
`;
