/**
 * Version 4: changes the sync server refused for good (400/403/413 naming them) leave the outbox
 * for a quarantine instead of being retried forever; they are kept with the server's reason until
 * the user retries or discards them. The outbox itself is unchanged.
 */
export const up = `
CREATE TABLE sync_quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, record_id TEXT NOT NULL, tenant_id TEXT NOT NULL, field TEXT NOT NULL,
  value TEXT NOT NULL, version TEXT NOT NULL,
  code TEXT NOT NULL, message TEXT NOT NULL, status INTEGER NOT NULL, at TEXT NOT NULL
);
`;
