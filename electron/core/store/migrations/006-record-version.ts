/**
 * Version 6: records created in bulk (imports) carry one version for all their fields in `_v`
 * instead of one `field_version` row per field, and one outbox entry per record (field `*`, value
 * a JSON object of the fields) instead of one per field; `outbox.n` says how many field changes an
 * entry stands for. A field written later gets its own version row, which is always newer.
 * Existing rows keep their per-field versions and entries (`_v` NULL, `n` 1).
 * Every pulled field also looks for a quarantined value of itself, hence the index.
 */
export const up = `
ALTER TABLE tenant ADD COLUMN _v TEXT;
ALTER TABLE contact ADD COLUMN _v TEXT;
ALTER TABLE contact_phone ADD COLUMN _v TEXT;
ALTER TABLE "call" ADD COLUMN _v TEXT;
ALTER TABLE note ADD COLUMN _v TEXT;
ALTER TABLE appointment ADD COLUMN _v TEXT;
ALTER TABLE outbox ADD COLUMN n INTEGER NOT NULL DEFAULT 1;
CREATE INDEX sync_quarantine_by_field ON sync_quarantine(tbl, record_id, field);
`;
