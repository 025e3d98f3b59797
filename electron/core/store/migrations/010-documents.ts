/**
 * Version 10: documents (protocol/blobs.ts). `document` is a synced table like the others; its bytes
 * live apart: `blob_upload` is the upload queue (the outbox of bytes, a local copy under the cache
 * directory until the server has verified it), `blob_cache` the downloaded and uploaded files with
 * their last use, so the least recently used go first when the cache is over its limit.
 */
export const up = `
CREATE TABLE document (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  blob_sha256 TEXT, name TEXT, mime TEXT, size INTEGER, attached_table TEXT, attached_id TEXT,
  _deleted INTEGER NOT NULL DEFAULT 0, _v TEXT
);
CREATE INDEX document_by_tenant ON document(tenant_id);
CREATE INDEX document_by_blob ON document(blob_sha256);
CREATE TABLE blob_upload (
  sha256 TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, size INTEGER NOT NULL,
  queued_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT
);
CREATE TABLE blob_cache (
  sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, last_used INTEGER NOT NULL
);
CREATE INDEX blob_cache_lru ON blob_cache(last_used);
`;
