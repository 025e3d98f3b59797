/**
 * Version 3: the search index gains a `tenant` column (one token per firm), so a search filtered by
 * firm is answered inside FTS5 and `ORDER BY rank LIMIT k` never leaves the index; the column
 * weights become the table's default rank. The index is derived data: it is refilled from the
 * records at the next open (meta `search_rebuild`), because folding happens in TypeScript.
 */
export const up = `
DROP TABLE contact_fts;
CREATE VIRTUAL TABLE contact_fts USING fts5(
  name, company, email, numbers, tenant,
  content='', contentless_delete=1,
  tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
INSERT INTO contact_fts(contact_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 3.0, 0.0)');
INSERT INTO meta(key, value) VALUES ('search_rebuild', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value;
`;
